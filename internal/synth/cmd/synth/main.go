// Command synth writes a large synthetic WeChat mini-program for benchmarks:
//
//	go run ./internal/synth/cmd/synth -out DIR [-seed N] [-files 20000] [-subpackages 40]
//
// The same flags always produce the same bytes. DIR must be empty or absent.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/mpgate/mpgate/internal/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write (must be empty or absent)")
	seed := fs.Int64("seed", synth.DefaultSeed, "seed of the generator")
	files := fs.Int("files", synth.DefaultFiles, "number of files")
	subs := fs.Int("subpackages", synth.DefaultSubpackages, "number of subpackages (negative: none)")
	bytes := fs.Int64("bytes", 0, "approximate total bytes (0: 1,700 per file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	st, err := synth.Generate(*out, synth.Options{Seed: *seed, Files: *files, Subpackages: *subs, Bytes: *bytes})
	if err != nil {
		return err
	}
	largest, largestName := int64(0), ""
	for name, b := range st.PackageBytes {
		if b > largest || (b == largest && name < largestName) {
			largest, largestName = b, name
		}
	}
	fmt.Fprintf(stdout, "wrote %d files, %.1f MB, %d pages, %d components, %d subpackages (%d independent) into %s; largest package %s %.2f MB\n",
		st.Files, float64(st.Bytes)/1e6, st.Pages, st.Components, st.Subpackages, st.Independent, *out, largestName, float64(largest)/1e6)
	return nil
}
