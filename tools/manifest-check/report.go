package main

import (
	"fmt"
	"io"
	"strings"
)

// Report collects what the check found: errors fail it, notes only inform (e.g. a service
// that is not written yet, so the checks against its binary were skipped).
type Report struct {
	Errors []string
	Notes  []string
}

func (r *Report) Errorf(where, format string, args ...any) {
	r.Errors = append(r.Errors, where+": "+fmt.Sprintf(format, args...))
}

func (r *Report) Notef(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Print writes the notes, then the errors; an error found the same way in several rendered
// kustomizations (an overlay inherits the base's) is printed once, naming them all.
func (r *Report) Print(w io.Writer) int {
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	var order []string
	bundles := map[string][]string{}
	for _, e := range r.Errors {
		bundle, rest := "", e
		if b, after, ok := strings.Cut(e, ": "); ok && strings.HasPrefix(b, "k8s/") && !strings.Contains(b, " ") {
			bundle, rest = b, after
		}
		if _, seen := bundles[rest]; !seen {
			order = append(order, rest)
		}
		if bundle != "" {
			bundles[rest] = append(bundles[rest], bundle)
		} else if bundles[rest] == nil {
			bundles[rest] = []string{}
		}
	}
	for _, rest := range order {
		if b := bundles[rest]; len(b) > 0 {
			fmt.Fprintf(w, "error: %s: %s\n", strings.Join(b, ", "), rest)
		} else {
			fmt.Fprintf(w, "error: %s\n", rest)
		}
	}
	return len(order)
}
