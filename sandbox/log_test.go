package sandbox

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

func TestAccessLogNeverHoldsSecrets(t *testing.T) {
	var buf syncbuf.Buffer
	e := newEnv(t, WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	created := e.create("logged")
	tok := created["token"].(string)
	secret := tok[strings.LastIndexByte(tok, ':')+1:]

	e.getAs(tok, "/public/v1/accounts/accounts?"+rq(`eq(name,"`+tok+`")`))
	e.get("/public/v1/accounts/api-tokens/" + tok)                 // a careless client
	e.get("/public/v1/accounts/api-tokens/" + testOperator + "/x") // puts secrets in paths
	e.send(request{method: "GET", path: "/public/v1/accounts/accounts", header: map[string]string{"Authorization": "Bearer " + tok + "x"}})

	out := buf.String()
	for _, leak := range []string{secret, testOperator, "Bearer", "Authorization", "eq(name"} {
		if strings.Contains(out, leak) {
			t.Errorf("the access log contains %q:\n%s", leak, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d log lines, want 5:\n%s", len(lines), out)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["msg"] != "request" || first["method"] != "POST" || first["path"] != createPath ||
		first["status"] != 201.0 || !traceIDRe.MatchString(first["traceId"].(string)) {
		t.Errorf("log line = %v", first)
	}
	if _, ok := first["duration"]; !ok {
		t.Errorf("log line has no duration: %v", first)
	}
	if !strings.Contains(lines[2], `"path":"/public/v1/accounts/api-tokens/idt:`+created["id"].(string)+`:REDACTED"`) {
		t.Errorf("token in path not redacted: %s", lines[2])
	}
	if !strings.Contains(lines[4], `"status":401`) {
		t.Errorf("401 not logged: %s", lines[4])
	}
}

func TestAccessLogMarksDroppedConnections(t *testing.T) {
	var buf syncbuf.Buffer
	e := newEnv(t, WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	e.s.InjectFault(Fault{DropBeforeHandling: true, Times: 1})
	if _, err := e.try(request{method: "GET", path: "/public/v1/accounts/accounts", token: testOperator}); err == nil {
		t.Fatal("no error for a dropped connection")
	}
	e.get("/public/v1/accounts/accounts").want(t, http.StatusOK)
	// The dropped request logs after its connection is closed, so the line
	// may come a moment after the client saw the drop.
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := buf.String()
		if strings.Contains(out, "status=0") && strings.Contains(out, "dropped=true") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log = %s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
