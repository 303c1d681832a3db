package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/mpgate/mpgate/bot/store"
	"github.com/mpgate/mpgate/bot/store/storetest"
)

// FuzzReportRoundTrip: any bytes are either refused or stored and read back
// unchanged, on every configured database; nothing panics.
func FuzzReportRoundTrip(f *testing.F) {
	for _, seed := range []string{`{}`, `{"schema":"mpgate.report/v1","packages":[]}`, `"中文"`, "{\"a\":\"\\u0000\"}", "\x00", "\xff", `[1,2`} {
		f.Add("github:o/r", "sha", "", []byte(seed))
	}
	var stores []*store.Store
	for _, b := range storetest.Backends() {
		s, err := store.Open(context.Background(), storetest.OpenDB(f, b), b.Dialect)
		if err != nil {
			f.Fatal(err)
		}
		stores = append(stores, s)
	}
	f.Fuzz(func(t *testing.T, repo, sha, project string, report []byte) {
		for _, s := range stores {
			err := s.PutReport(context.Background(), repo, sha, project, report)
			valid := repo != "" && sha != "" && utf8.Valid(report) && json.Valid(report)
			if !valid {
				if err == nil {
					t.Fatalf("%s: invalid input accepted: %q %q %q", s.Dialect(), repo, sha, report)
				}
				continue
			}
			if err != nil {
				// Keys are not cleaned: a database may refuse them (NUL, bad UTF-8 on PostgreSQL).
				if s.Dialect() == store.Postgres && (!utf8.ValidString(repo+sha+project) || bytes.ContainsRune([]byte(repo+sha+project), 0)) {
					continue
				}
				t.Fatalf("%s: PutReport: %v", s.Dialect(), err)
			}
			got, err := s.Report(context.Background(), repo, sha, project)
			if err != nil {
				t.Fatalf("%s: Report: %v", s.Dialect(), err)
			}
			if !bytes.Equal(got, report) {
				t.Fatalf("%s: round trip %q → %q", s.Dialect(), report, got)
			}
		}
	})
}
