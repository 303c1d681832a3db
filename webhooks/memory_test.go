package webhooks

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// zeros is an endless reader of zero bytes that allocates nothing.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// sendMany posts n bodies of size bytes to url, conc at a time, and
// returns the statuses seen (0 when the server closed the connection while
// the body was still being sent, which it may do after refusing it).
func sendMany(t *testing.T, url string, n, conc int, size int64, header func(i int) http.Header) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 2 * time.Minute}
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			req, err := http.NewRequest(http.MethodPost, url, io.LimitReader(zeros{}, size))
			if err != nil {
				t.Error(err)
				return
			}
			req.ContentLength = size
			for k, v := range header(i) {
				req.Header[k] = v
			}
			status := 0
			if resp, err := client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}

// allocated runs f and returns the bytes allocated meanwhile (client and
// server share the process, so both are counted) and the largest heap in
// use seen while it ran.
func allocated(f func()) (total, peak uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var hi uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- hi
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				hi = max(hi, m.HeapInuse)
			}
		}
	}()
	f()
	close(stop)
	peak = <-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, peak
}

// TestUnauthenticatedMemoryBounded sends 100 bodies of 25 MB (GitHub's
// maximum) that are not signed, or signed with a wrong key, 16 at a time,
// and measures what the process allocates. Unsigned requests are refused
// from their headers and cost nothing; forged signatures are read into the
// budget's reused chunks, so the whole run allocates about one budget, not
// 100 × 25 MB (2.5 GB; the handler used to read them all with io.ReadAll).
func TestUnauthenticatedMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 2.5 GB over loopback")
	}
	const (
		n    = 100
		conc = 16
		size = DefaultMaxBody
		mib  = 1 << 20
	)
	gh := httptest.NewServer(NewGitHub(GitHubConfig{Secret: testSecret, Enqueuer: &fakeQueue{}}))
	defer gh.Close()
	glToken := httptest.NewServer(NewGitLab(GitLabConfig{Token: testToken, Enqueuer: &fakeQueue{}}))
	defer glToken.Close()
	glSigned := httptest.NewServer(NewGitLab(GitLabConfig{SigningToken: testSigningToken, Enqueuer: &fakeQueue{}}))
	defer glSigned.Close()

	forgedGitHub := func(i int) http.Header {
		h := http.Header{}
		h.Set(headerGitHubEvent, "pull_request")
		h.Set(headerGitHubDelivery, "d"+strconv.Itoa(i))
		h.Set(headerGitHubSignature, "sha256=0000000000000000000000000000000000000000000000000000000000000000")
		return h
	}
	tests := []struct {
		name   string
		url    string
		header func(i int) http.Header
		// limit bounds the bytes allocated by the whole run.
		limit uint64
	}{
		{"github unsigned", gh.URL, func(i int) http.Header {
			h := forgedGitHub(i)
			h.Del(headerGitHubSignature)
			return h
		}, 16 * mib},
		{"github ill-formed signature", gh.URL, func(i int) http.Header {
			h := forgedGitHub(i)
			h.Set(headerGitHubSignature, "sha256=zz")
			return h
		}, 16 * mib},
		{"github forged signature", gh.URL, forgedGitHub, uint64(DefaultMaxPending) + 16*mib},
		{"gitlab wrong token", glToken.URL, func(i int) http.Header {
			return gitlabHeader("Merge Request Hook", "i"+strconv.Itoa(i), []byte("guess"))
		}, 16 * mib},
		{"gitlab forged signature", glSigned.URL, func(i int) http.Header {
			h := gitlabHeader("Merge Request Hook", "", nil)
			h.Set(headerWebhookID, "msg_"+strconv.Itoa(i))
			h.Set(headerWebhookTimestamp, strconv.FormatInt(time.Now().Unix(), 10))
			h.Set(headerWebhookSignature, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
			return h
		}, uint64(DefaultMaxPending) + 16*mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var statuses map[int]int
			total, peak := allocated(func() { statuses = sendMany(t, tt.url, n, conc, size, tt.header) })
			t.Logf("%d requests of %d MiB: allocated %d MiB, peak heap in use %d MiB, statuses %v",
				n, size/mib, total/mib, peak/mib, statuses)
			for status, count := range statuses {
				if status != 0 && status != http.StatusUnauthorized {
					t.Errorf("%d requests answered %d, want 401", count, status)
				}
			}
			if statuses[http.StatusUnauthorized] == 0 {
				t.Errorf("no request was answered 401: %v", statuses)
			}
			if total > tt.limit {
				t.Errorf("allocated %d MiB for %d unauthenticated requests, want at most %d MiB", total/mib, n, tt.limit/mib)
			}
		})
	}
}
