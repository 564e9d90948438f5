package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Service is what a service's binary says about itself: its variables and their defaults,
// as printed by `<binary> --help` (the same code that reads the configuration prints it).
type Service struct {
	Name   string            // e.g. "notification"
	Binary string            // e.g. "tew-notification"
	Vars   map[string]string // variable -> default ("" when unset by default)
}

// Probe is how a running instance of a service answered.
type Probe struct {
	Subscriptions []Sub          // GET /dapr/subscribe (App left empty)
	SubscribeCode int            // its HTTP status
	Codes         map[string]int // "METHOD /path" -> HTTP status
}

// Services gives the facts about the services: from their built binaries in the real check,
// from a fixture in the tests.
type Services interface {
	// Lookup returns nil (and no error) for a service that is not written yet.
	Lookup(name string) (*Service, error)
	// Probe starts the service with env on a private loopback port, sends the requests
	// ("METHOD /path"), and stops it.
	Probe(s *Service, env map[string]string, requests []string) (*Probe, error)
}

// serviceNames reads the suite's services from services/CMakeLists.txt, the one list the
// build itself uses (`foreach(service ...)`).
func serviceNames(root string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(root, "services", "CMakeLists.txt"))
	if err != nil {
		return nil, err
	}
	m := regexp.MustCompile(`foreach\(service\s+([a-z0-9_\s-]+)\)`).FindSubmatch(data)
	if m == nil {
		return nil, fmt.Errorf("services/CMakeLists.txt: no `foreach(service ...)` list of services")
	}
	return strings.Fields(string(m[1])), nil
}

// serviceWritten: services/CMakeLists.txt builds a service only once its main.cpp exists.
func serviceWritten(root, name string) bool {
	_, err := os.Stat(filepath.Join(root, "services", name, "main.cpp"))
	return err == nil
}

var helpLine = regexp.MustCompile(`^  ([A-Z][A-Z0-9_]*)\s+(.*?)(?: \[default: (.*)\])?$`)

// parseHelp reads the variables and defaults from a service's --help output.
func parseHelp(out string) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if m := helpLine.FindStringSubmatch(sc.Text()); m != nil {
			vars[m[1]] = m[3]
		}
	}
	return vars
}

// effective is a variable's value in a deployment: its literal env value if set and not
// empty (the services treat empty as unset), else the service's default.
func effective(s *Service, env map[string]string, name string) string {
	if v := env[name]; v != "" {
		return v
	}
	return s.Vars[name]
}
