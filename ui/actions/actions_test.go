package actions_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui/actions"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want actions.Outcome
	}{
		{"nil", nil, actions.Done},
		{"404", &apiclient.Error{StatusCode: 404}, actions.NotFound},
		{"400", &apiclient.Error{StatusCode: 400}, actions.Failed},
		{"409", &apiclient.Error{StatusCode: 409}, actions.Failed},
		{"500", &apiclient.Error{StatusCode: 500}, actions.Unknown},
		{"504", &apiclient.Error{StatusCode: 504}, actions.Unknown},
		{"invalid", &apiclient.InvalidRequestError{Fields: map[string]string{"id": "x"}}, actions.Failed},
		{"dial", fmt.Errorf("apiclient: POST x: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), actions.Failed},
		{"eof after sending", fmt.Errorf("apiclient: POST x: %w", errors.New("EOF")), actions.Unknown},
		{"timeout", fmt.Errorf("no answer: %w", context.DeadlineExceeded), actions.Unknown},
		{"outcome unknown", &apiclient.OutcomeUnknownError{Op: "x", Err: errors.New("EOF")}, actions.Unknown},
	} {
		if got := actions.Classify(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestResultTextNeverClaimsDoneWhenItIsNot(t *testing.T) {
	tgt := actions.Target{ID: "TKN-1000-1001", Name: "x\x1b[2Jy"}
	for _, kind := range []actions.Kind{actions.Enable, actions.Disable, actions.Delete} {
		for _, out := range []actions.Outcome{actions.NotFound, actions.Failed, actions.Unknown} {
			r := actions.ResultMsg{Kind: kind, Target: tgt, Outcome: out, Err: errors.New("boom")}
			s := r.Text()
			if strings.Contains(s, " is enabled") || strings.Contains(s, " is disabled") || strings.Contains(s, " is deleted") {
				t.Errorf("%v/%v: %q claims it is done", kind, out, s)
			}
			if strings.Contains(s, "\x1b") {
				t.Errorf("%q is not inert", s)
			}
		}
		done := actions.ResultMsg{Kind: kind, Target: tgt, Outcome: actions.Done}.Text()
		if !strings.Contains(done, " is ") {
			t.Errorf("%v done: %q", kind, done)
		}
	}
}
