package jsonflags

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func exporter(t *testing.T, args ...string) (*Exporter, error) {
	t.Helper()
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	e := Add(cmd, []string{"id", "name", "status"})
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return e, e.Validate()
}

func TestUnknownFieldListsTheValidOnes(t *testing.T) {
	_, err := exporter(t, "--json", "id,bogus")
	if err == nil || !strings.Contains(err.Error(), `unknown JSON field "bogus"`) || !strings.Contains(err.Error(), "id, name, status") {
		t.Fatalf("got %v", err)
	}
}

func TestJQWithoutJSONIsRefused(t *testing.T) {
	if _, err := exporter(t, "--jq", ".[]"); err == nil {
		t.Fatal("--jq alone was accepted")
	}
	if _, err := exporter(t, "--json", "id", "--jq", ".[] |"); err == nil {
		t.Fatal("a broken jq expression was accepted")
	}
}

func TestWritePicksFieldsAndFilters(t *testing.T) {
	e, err := exporter(t, "--json", "name, id")
	if err != nil {
		t.Fatal(err)
	}
	full := map[string]any{"id": "TKN-1", "name": "a\u009b2J", "status": "Active"}
	var b strings.Builder
	if err := e.Write(context.Background(), &b, []any{e.Pick(full)}, false); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), `[{"id":"TKN-1","name":"a\u009b2J"}]`+"\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}

	e, err = exporter(t, "--json", "id,status", "--jq", `.[] | select(.status == "Active") | .id`)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	list := []any{e.Pick(full), e.Pick(map[string]any{"id": "TKN-2", "status": "Disabled"})}
	if err := e.Write(context.Background(), &b, list, true); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "TKN-1\n" {
		t.Fatalf("jq output %q", got)
	}
}
