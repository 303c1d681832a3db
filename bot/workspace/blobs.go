package workspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrBlobTooBig marks a file ReadBlobs did not read: larger than its cap.
var ErrBlobTooBig = errors.New("file too big")

// ReadBlobs reads files as they are at rev (repository-relative paths)
// with one `git cat-file --batch`, without a checkout: what the API gate
// needs of the base and the head. A file missing at rev is left out of the
// result; one larger than maxEach bytes fails with ErrBlobTooBig.
func ReadBlobs(ctx context.Context, repoDir, rev string, paths []string, maxEach int64) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(paths) == 0 {
		return out, nil
	}
	var in bytes.Buffer
	for _, p := range paths {
		if strings.ContainsAny(p, "\n\x00") {
			return nil, fmt.Errorf("read %s at %s: a path with a line break", strconv.Quote(p), rev)
		}
		in.WriteString(rev + ":" + p + "\n")
	}
	inv := &invocation{dir: repoDir, args: []string{"cat-file", "--batch"}}
	c := inv.cmd(ctx)
	c.Stdin = &in
	var stderr bytes.Buffer
	c.Stderr = &stderr
	stdout, err := c.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, inv.fail(err, nil)
	}
	rerr := readBatch(bufio.NewReader(stdout), paths, maxEach, out)
	if rerr != nil {
		_, _ = io.Copy(io.Discard, stdout)
	}
	if err := c.Wait(); err != nil {
		return nil, inv.fail(err, stderr.Bytes())
	}
	if rerr != nil {
		return nil, fmt.Errorf("read files at %s: %w", rev, rerr)
	}
	return out, nil
}

// readBatch parses cat-file --batch output: per request a header
// "<oid> <type> <size>" and the content, or "<request> missing".
func readBatch(r *bufio.Reader, paths []string, maxEach int64, out map[string][]byte) error {
	for _, p := range paths {
		header, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		header = strings.TrimSuffix(header, "\n")
		if strings.HasSuffix(header, " missing") || strings.HasSuffix(header, " ambiguous") {
			continue
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			return fmt.Errorf("%s: unexpected cat-file header %q", p, header)
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: unexpected cat-file header %q", p, header)
		}
		if size > maxEach {
			return fmt.Errorf("%s: %w (%d bytes, at most %d)", p, ErrBlobTooBig, size, maxEach)
		}
		buf := make([]byte, size+1) // the content and its "\n"
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if f[1] == "blob" {
			out[p] = buf[:size]
		}
	}
	return nil
}
