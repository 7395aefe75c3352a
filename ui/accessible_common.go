package ui

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"charm.land/huh/v2"
)

// accessibleField is a huh field run in its accessible (line) mode.
type accessibleField interface {
	RunAccessible(io.Writer, io.Reader) error
}

// askNumber reads a whole number from lo to hi; ok is false when the answer
// was left empty. It reads with a validated Input rather than huh's Select
// or MultiSelect: those index their options with the last answer typed when
// input ends right after an out-of-range one, so a mistyped number followed
// by ctrl+d (or a 0x03) crashed the flow.
func askNumber(ask func(accessibleField) error, lo, hi int) (n int, ok bool, err error) {
	pick := func(s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, err == nil && n >= lo && n <= hi
	}
	var typed string
	err = ask(huh.NewInput().Title(fmt.Sprintf("Enter a number between %d and %d:", lo, hi)).Value(&typed).
		Validate(func(s string) error {
			if _, ok := pick(s); ok || strings.TrimSpace(s) == "" {
				return nil
			}
			//lint:ignore ST1005 huh reads it out to the person as a sentence
			return fmt.Errorf("Enter a number between %d and %d.", lo, hi)
		}))
	if err != nil {
		return 0, false, err
	}
	n, ok = pick(typed)
	return n, ok, nil
}
