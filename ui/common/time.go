package common

import (
	"strconv"
	"time"
)

// Ago is a short relative time: "just now", "5 min ago", "3 h ago",
// "12 d ago", "4 mo ago", "2 y ago". A time in the future (clocks differ)
// is "just now".
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h ago"
	case d < 60*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d ago"
	case d < 730*24*time.Hour:
		return strconv.Itoa(int(d/(30*24*time.Hour))) + " mo ago"
	}
	return strconv.Itoa(int(d/(365*24*time.Hour))) + " y ago"
}

// When is an absolute UTC time followed by how long ago it was.
func When(at, now time.Time) string {
	return at.UTC().Format("2006-01-02 15:04 UTC") + " (" + Ago(now, at) + ")"
}
