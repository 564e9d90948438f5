package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository root, seen from tools/manifest-check.
const repoRoot = "../.."

// fixture copies what the check reads from the repository into a temporary directory, so a
// test can break one thing in it. Every service counts as written (its facts come from
// fakeServices).
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"k8s", "dapr", "dapr.yaml", "Dockerfile", ".dockerignore", "scripts/setup",
		"services/CMakeLists.txt", "CMakeLists.txt"} {
		if _, err := os.Stat(filepath.Join(repoRoot, p)); err == nil {
			copyTree(t, filepath.Join(repoRoot, p), filepath.Join(dir, p))
		}
	}
	names, err := serviceNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		write(t, dir, "services/"+n+"/main.cpp", "")
	}
	return dir
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, strings.TrimPrefix(p, src))
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, root, path, text string) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace changes the first occurrence of old in a file; the test fails if there is none,
// so a mutation can never silently stop applying.
func replace(t *testing.T, root, path, old, new string) {
	t.Helper()
	p := filepath.Join(root, path)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeServices models the three services as the suite's decisions define them (names, ports,
// topics, routes, bindings, variables): what their --help prints and how a running instance
// answers. The real check asks the built binaries instead.
type fakeServices struct{}

var fakeRoutes = map[string][][2]string{ // service -> (topic variable, route)
	"notification": {{"TASK_EVENTS_TOPIC", "/events/task-events"}, {"REMINDERS_TOPIC", "/events/reminders"}},
	"reminder":     {{"TASK_EVENTS_TOPIC", "/events/task-events"}},
	"recurring":    {{"TASK_EVENTS_TOPIC", "/events/task-events"}},
}

func (fakeServices) Lookup(name string) (*Service, error) {
	port := map[string]string{"notification": "8081", "reminder": "8082", "recurring": "8083"}[name]
	vars := map[string]string{
		"APP_ID": name, "APP_HOST": "127.0.0.1", "APP_PORT": port, "APP_API_TOKEN": "",
		"DAPR_HTTP_PORT": "3500", "DAPR_API_TOKEN": "", "SIDECAR_TIMEOUT_MS": "5000",
		"PUBSUB_NAME": "pubsub", "STATE_STORE": "statestore", "LOG_FORMAT": "json",
		"MAX_BODY_BYTES": "1048576", "SHUTDOWN_GRACE_MS": "10000", "DEDUP_BACKEND": "state",
		"DEDUP_LEASE_SECONDS": "30", "DAPR_SUBSCRIBE": "programmatic",
		"TASK_EVENTS_TOPIC": "task-events", "DEAD_LETTER_TOPIC": name + "-dead-letters",
	}
	switch name {
	case "notification":
		vars["REMINDERS_TOPIC"] = "reminders"
		vars["NOTIFICATIONS_TOPIC"] = "notifications"
		vars["NOTIFY_CHANNELS"] = "log"
		vars["NOTIFY_BINDING"] = ""
	case "reminder":
		vars["REMINDERS_TOPIC"] = "reminders"
		vars["REMINDER_TICK_BINDING"] = "reminder-tick"
	case "recurring":
		vars["RECURRING_SCHEDULER_BINDING"] = "recurring-scheduler"
	}
	return &Service{Name: name, Binary: "tew-" + name, Vars: vars}, nil
}

func (fakeServices) Probe(s *Service, env map[string]string, requests []string) (*Probe, error) {
	p := &Probe{Codes: map[string]int{}}
	for _, r := range requests {
		code := 404
		switch r {
		case "GET /healthz":
			code = 200
		case "GET /readyz":
			code = 503 // no sidecar
		case "GET /dapr/subscribe":
			code = 200
			if effective(s, env, "DAPR_SUBSCRIBE") != "declarative" {
				for _, route := range fakeRoutes[s.Name] {
					p.Subscriptions = append(p.Subscriptions, newSub("", effective(s, env, "PUBSUB_NAME"),
						effective(s, env, route[0]), route[1], nil, effective(s, env, "DEAD_LETTER_TOPIC"), nil, false))
				}
			}
			p.SubscribeCode = code
		default:
			for v := range s.Vars {
				if strings.HasSuffix(v, "_BINDING") && r == "OPTIONS /"+effective(s, env, v) {
					code = 200
				}
			}
		}
		p.Codes[r] = code
	}
	return p, nil
}

func check(t *testing.T, root string) *Report {
	t.Helper()
	return Check(Options{Root: root, Services: fakeServices{}})
}
