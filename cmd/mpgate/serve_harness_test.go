package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mpgate/mpgate/internal/fakegithub"
)

// The serve tests' one harness: a server from serveFlags and serverDeps on
// real HTTP, its log in one locked buffer, shut down at the test's end.
// newTestServer (GitHub), newFollowupServer and newGitLabTestServer fill
// in the flags; serve_crash_test.go runs the binary itself.

// logBuffer is a log that tests read while the server's workers write it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a running test server.
type harness struct {
	srv  *server
	http *httptest.Server
	logs *logBuffer
	// shutdown stops and closes the server (once; also at the test's end),
	// printing its log when the test failed.
	shutdown func()
}

// startServer builds the server of flags and deps and serves its handler;
// idle leaves the workers stopped (deliveries are queued, not handled).
func startServer(t *testing.T, flags *serveFlags, deps serverDeps, idle bool) *harness {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := newServer(ctx, flags, log, deps)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if !idle {
		if err := srv.start(ctx); err != nil {
			cancel()
			srv.close()
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv.handler)
	h := &harness{srv: srv, http: hs, logs: logs}
	h.shutdown = sync.OnceFunc(func() {
		hs.Close()
		if !idle {
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			if err := srv.stop(sctx); err != nil {
				t.Errorf("stopping the queue: %v", err)
			}
		}
		cancel()
		srv.close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	t.Cleanup(h.shutdown)
	return h
}

// githubApp registers the test App and its installation on f and returns
// the App's key file, written to dir.
func githubApp(t *testing.T, f *fakegithub.Fake, dir string) (keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f.RegisterApp(srvAppID, "mpgate", &key.PublicKey)
	f.AddInstallation(srvInstID, srvAppID)
	keyFile = filepath.Join(dir, "app.pem")
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	return keyFile
}

// checkFakeGitHub fails the test when f saw a request its OpenAPI
// description does not allow.
func checkFakeGitHub(t *testing.T, f *fakegithub.Fake) {
	t.Cleanup(func() {
		if errs := f.Errors(); len(errs) > 0 {
			t.Errorf("fake GitHub saw invalid requests:\n%s", strings.Join(errs, "\n"))
		}
	})
}
