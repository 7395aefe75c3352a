package sandbox

import (
	"net/http"
	"testing"
)

// run makes the same three requests against a fresh server and returns the
// trace ids and token values it saw.
func run(t *testing.T, idSeed, secretSeed byte) []string {
	t.Helper()
	e := newEnv(t, WithIDSource(seeded(idSeed)), WithSecretSource(seeded(secretSeed)))
	var out []string
	for _, name := range []string{"one", "two"} {
		res := e.post(createPath, testOperator, createBody(contoso, name, "MOD-1001"))
		res.want(t, http.StatusCreated)
		out = append(out, res.header.Get("X-Trace-Id"), res.object(t)["token"].(string))
	}
	res := e.get("/public/v1/accounts/modules/MOD-0000")
	out = append(out, res.problem(t, http.StatusNotFound).TraceID)
	return out
}

func TestDeterministicIDs(t *testing.T) {
	a, b := run(t, 7, 9), run(t, 7, 9)
	if join(a) != join(b) {
		t.Fatalf("same seeds, different ids:\n%v\n%v", a, b)
	}
	// Pinned values: a change in how ids are drawn shows up here.
	want := []string{
		"00-0e42d4cae8864908e0b8c7520e360aa4-04427c9053d9a667-00",
		"idt:TKN-0460-2938:0FDOShoYjKMACfSfgckBHSpBcueq607FuzQLKb2Ab1H3Z2qUbJLs8mmlqKRkvlA5",
	}
	if a[0] != want[0] || a[1] != want[1] {
		t.Errorf("first trace id and token = %q, %q\nwant %q, %q", a[0], a[1], want[0], want[1])
	}
	if c := run(t, 8, 9); c[1][:18] == a[1][:18] || c[0] == a[0] {
		t.Errorf("another id seed gave the same ids: %v", c)
	}
	if c := run(t, 7, 10); c[1][:18] != a[1][:18] || c[1] == a[1] {
		t.Errorf("another secret seed should change only the secret: %q vs %q", c[1], a[1])
	}
}
