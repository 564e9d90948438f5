package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// binaryServices runs the built service binaries: `--help` for their variables, and a
// short-lived instance on 127.0.0.1 for what they answer.
type binaryServices struct {
	root, binDir string
	probes       map[string]*Probe
}

func newBinaryServices(root, binDir string) *binaryServices {
	return &binaryServices{root: root, binDir: binDir, probes: map[string]*Probe{}}
}

func (b *binaryServices) Lookup(name string) (*Service, error) {
	if !serviceWritten(b.root, name) {
		return nil, nil
	}
	binary := "tew-" + name
	path := filepath.Join(b.binDir, binary)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s is not built (%v): build first (scripts/test does) or pass -bin-dir", binary, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--help").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --help: %v", binary, err)
	}
	vars := parseHelp(string(out))
	if vars["APP_ID"] == "" || vars["APP_PORT"] == "" {
		return nil, fmt.Errorf("%s --help lists no APP_ID/APP_PORT defaults:\n%s", binary, out)
	}
	return &Service{Name: name, Binary: binary, Vars: vars}, nil
}

func (b *binaryServices) Probe(s *Service, env map[string]string, requests []string) (*Probe, error) {
	key := s.Binary + "\x00" + envKey(env) + "\x00" + strings.Join(requests, "\x00")
	if p, ok := b.probes[key]; ok {
		return p, nil
	}
	p, err := runProbe(filepath.Join(b.binDir, s.Binary), env, requests)
	if err == nil {
		b.probes[key] = p
	}
	return p, err
}

func envKey(env map[string]string) string {
	parts := make([]string, 0, len(env))
	for k, v := range env {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x00")
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// runProbe starts the binary on a free loopback port with no sidecar (a closed port) and an
// in-memory dedup store, asks it the requests, and stops it; it never runs longer than ~15 s.
func runProbe(path string, env map[string]string, requests []string) (*Probe, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	noSidecar, err := freePort()
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = v
	}
	for k, v := range map[string]string{"APP_HOST": "127.0.0.1", "APP_PORT": strconv.Itoa(port),
		"DAPR_HTTP_PORT": strconv.Itoa(noSidecar), "DEDUP_BACKEND": "memory", "LOG_LEVEL": "warn",
		"SHUTDOWN_GRACE_MS": "0"} {
		vars[k] = v
	}
	for _, k := range []string{"DAPR_HTTP_ENDPOINT", "APP_API_TOKEN", "DAPR_API_TOKEN"} {
		delete(vars, k)
	}
	cmd := exec.Command(path)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	fail := func(format string, args ...any) (*Probe, error) {
		return nil, fmt.Errorf("%s: %s; its stderr: %s", filepath.Base(path), fmt.Sprintf(format, args...),
			strings.TrimSpace(stderr.String()))
	}

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: 3 * time.Second}
	ready := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !ready; {
		select {
		case err := <-exited:
			exited <- err
			return fail("exited before it listened (%v)", err)
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := client.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			ready = true
		}
	}
	if !ready {
		return fail("did not answer /healthz within 10 s")
	}
	p := &Probe{Codes: map[string]int{}}
	for _, r := range requests {
		method, path, _ := strings.Cut(r, " ")
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return fail("%s: %v", r, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		p.Codes[r] = resp.StatusCode
		if r == "GET /dapr/subscribe" {
			p.SubscribeCode = resp.StatusCode
			if resp.StatusCode == http.StatusOK {
				if p.Subscriptions, err = parseSubscribe(body); err != nil {
					return fail("GET /dapr/subscribe: %v: %s", err, body)
				}
			}
		}
	}
	select {
	case err := <-exited:
		exited <- err
		return fail("exited while probed (%v)", err)
	default:
	}
	return p, nil
}

// parseSubscribe reads daprd's programmatic subscription document (v2 shape; v1's single
// `route` is accepted too).
func parseSubscribe(body []byte) ([]Sub, error) {
	var doc []struct {
		Pubsubname string `json:"pubsubname"`
		Topic      string `json:"topic"`
		Route      string `json:"route"`
		Routes     struct {
			Rules []struct {
				Match string `json:"match"`
				Path  string `json:"path"`
			} `json:"rules"`
			Default string `json:"default"`
		} `json:"routes"`
		DeadLetterTopic string            `json:"deadLetterTopic"`
		Metadata        map[string]string `json:"metadata"`
		BulkSubscribe   struct {
			Enabled bool `json:"enabled"`
		} `json:"bulkSubscribe"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	subs := make([]Sub, 0, len(doc))
	for _, d := range doc {
		def := d.Routes.Default
		if def == "" {
			def = d.Route
		}
		rules := make([][2]string, len(d.Routes.Rules))
		for i, r := range d.Routes.Rules {
			rules[i] = [2]string{r.Match, r.Path}
		}
		subs = append(subs, newSub("", d.Pubsubname, d.Topic, def, rules, d.DeadLetterTopic, d.Metadata,
			d.BulkSubscribe.Enabled))
	}
	return subs, nil
}
