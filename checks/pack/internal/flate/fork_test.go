package flate

import (
	"bytes"
	stdflate "compress/flate"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// copiedFrom is the Go version the files were copied from (FORK.md).
const copiedFrom = "go1.26.8"

// TestForkIsUpstream: the copied files are the toolchain's, deflate.go but
// for its one marked line.
func TestForkIsUpstream(t *testing.T) {
	if runtime.Version() != copiedFrom {
		t.Skipf("copied from %s, built with %s: TestSameAsUpstream compares the output instead", copiedFrom, runtime.Version())
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "src", "compress", "flate")
	for _, f := range []string{"deflate.go", "deflatefast.go", "huffman_bit_writer.go", "huffman_code.go", "token.go"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if f == "deflate.go" {
			const ours = "\t\td.forgetHashes() // mpgate: was clear(d.hashHead[:]); clear(d.hashPrev[:]); d.hashOffset = 1\n"
			const theirs = "\t\tclear(d.hashHead[:])\n\t\tclear(d.hashPrev[:])\n\t\td.hashOffset = 1\n"
			if !bytes.Contains(got, []byte(ours)) {
				t.Fatal("deflate.go has lost the marked line of reset")
			}
			got = bytes.Replace(got, []byte(ours), []byte(theirs), 1)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s beyond the marked change (FORK.md)", f, filepath.Join(dir, f))
		}
	}
}

// TestSameAsUpstream: files compressed one after another through one
// reused writer come out as a new compress/flate writer makes each.
func TestSameAsUpstream(t *testing.T) {
	inputs := corpus(t)
	total := 0
	for _, in := range inputs {
		total += len(in)
	}
	// Enough rounds to pass maxHashOffset (16 MB) several times, so the
	// full clear runs in the middle of a sequence too.
	rounds := max(3, 3*(maxHashOffset/max(total, 1)))
	w, err := NewWriter(nil, 6)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	compared := 0
	for r := range rounds {
		order := rng.Perm(len(inputs))
		if r == 0 {
			for i := range order {
				order[i] = i
			}
		}
		for _, i := range order {
			if got, want := compress(t, w, inputs[i]), upstream(t, inputs[i]); !bytes.Equal(got, want) {
				t.Fatalf("round %d, input %d (%d bytes): %d bytes, upstream %d", r, i, len(inputs[i]), len(got), len(want))
			}
			compared++
		}
	}
	if compared < 3*len(inputs) || w.d.hashOffset >= maxHashOffset {
		t.Fatalf("compared %d inputs, hashOffset %d", compared, w.d.hashOffset)
	}
}

// FuzzSameAsUpstream: any sequence of inputs (the fuzz input cut at 0xff
// bytes) through one reused writer, each as upstream compresses it.
func FuzzSameAsUpstream(f *testing.F) {
	f.Add([]byte("hello, hello, hello\xffworld world world\xff\xff" + strings.Repeat("abc", 100)))
	f.Add(bytes.Repeat([]byte("require('./a.js');\n"), 4000))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := NewWriter(nil, 6)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range bytes.Split(data, []byte{0xff}) {
			if got, want := compress(t, w, in), upstream(t, in); !bytes.Equal(got, want) {
				t.Fatalf("input %q: %d bytes, upstream %d", in, len(got), len(want))
			}
		}
	})
}

func compress(t *testing.T, w *Writer, in []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w.Reset(&b)
	if _, err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upstream(t *testing.T, in []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := stdflate.NewWriter(&b, 6)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// corpus is the inputs of TestSameAsUpstream: made ones of every shape,
// and the repository's own files (code and data of every kind).
func corpus(t *testing.T) [][]byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	text := []byte(strings.Repeat("Page({ data: { list: [] }, onLoad() { this.setData({ n: 1 }); } });\n", 3000))
	inputs := [][]byte{
		nil, {0}, []byte("a"), []byte("abcd"), []byte("abcabcabc"),
		text[:1000], text, random(100), random(70000), random(300000),
		bytes.Repeat([]byte{'x'}, 1<<17), append(random(40000), text...),
	}
	for _, n := range []int{windowSize - 1, windowSize, windowSize + 1, 2*windowSize - 300, 2 * windowSize, 3*windowSize + 17} {
		inputs = append(inputs, text[:min(n, len(text))], random(n))
	}
	root := filepath.Join("..", "..", "..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && len(inputs) < 2000 {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			inputs = append(inputs, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) < 500 {
		t.Fatalf("only %d inputs under %s", len(inputs), root)
	}
	return inputs
}
