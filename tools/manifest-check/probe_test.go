package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// testApp is the minimal service the C++ integration tests use (tests/app): a real binary on
// the common library, so the probing code is tested against the real contract. The test is
// skipped when it is not built (scripts/check-manifests passes TEW_BIN_DIR).
func testApp(t *testing.T) string {
	dir := os.Getenv("TEW_BIN_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot, "build", "dev", "bin")
	}
	path := filepath.Join(dir, "tew-test-app")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is not built", path)
	}
	return path
}

func TestHelpListsTheVariablesWithTheirDefaults(t *testing.T) {
	out, err := exec.Command(testApp(t), "--help").Output()
	if err != nil {
		t.Fatal(err)
	}
	vars := parseHelp(string(out))
	for name, want := range map[string]string{"APP_ID": "tew-test-app", "APP_PORT": "8099", "PUBSUB_NAME": "pubsub",
		"ORDERS_TOPIC": "orders", "APP_API_TOKEN": "", "SIDECAR_TIMEOUT_MS": "5000"} {
		if got, ok := vars[name]; !ok || got != want {
			t.Errorf("%s = %q (listed: %v), want %q", name, got, ok, want)
		}
	}
}

func TestProbeRunsTheAppAndReportsItsSubscriptionsAndAnswers(t *testing.T) {
	app := testApp(t)
	requests := []string{"GET /dapr/subscribe", "GET /healthz", "OPTIONS /tick", "OPTIONS /nope"}
	p, err := runProbe(app, map[string]string{"ORDERS_TOPIC": "orders-eu"}, requests)
	if err != nil {
		t.Fatal(err)
	}
	want := newSub("", "pubsub", "orders-eu", "/orders", nil, "orders-dead", nil, false)
	if len(p.Subscriptions) != 1 || p.Subscriptions[0] != want {
		t.Errorf("subscriptions %v, want [%v]", p.Subscriptions, want)
	}
	for r, code := range map[string]int{"GET /dapr/subscribe": 200, "GET /healthz": 200, "OPTIONS /tick": 200, "OPTIONS /nope": 404} {
		if p.Codes[r] != code {
			t.Errorf("%s answered %d, want %d", r, p.Codes[r], code)
		}
	}
}

func TestProbeReportsAnAppThatCannotStart(t *testing.T) {
	_, err := runProbe(testApp(t), map[string]string{"SIDECAR_TIMEOUT_MS": "not a number"}, []string{"GET /healthz"})
	if err == nil {
		t.Fatal("an app that exits at start was probed without error")
	}
}
