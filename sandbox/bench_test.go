package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func BenchmarkCreate(b *testing.B) {
	s, err := New(WithOperatorToken(testOperator))
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(createBody(contoso, "bench", "MOD-1001", "MOD-1002"))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", createPath, strings.NewReader(string(body)))
		r.Header.Set("Authorization", "Bearer "+testOperator)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkListModules10k(b *testing.B) {
	s, err := New(WithOperatorToken(testOperator), WithFixture(GenerateFixture(10_000)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", `/public/v1/accounts/modules?select=accountTypes&limit=1000&ilike(name,%22*export*%22)`, nil)
		r.Header.Set("Authorization", "Bearer "+testOperator)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
