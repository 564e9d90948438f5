package main

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// deployed is one service as a bundle deploys it.
type deployed struct {
	where     string
	d         *appsv1.Deployment
	c         corev1.Container
	env       map[string]string // literal values
	fromRefs  map[string]bool   // variables set from a Secret or another reference
	appID     string
	annotated map[string]string
}

// findDeployed finds the Deployment and container that run the service's binary.
func findDeployed(b Bundle, binary string) []deployed {
	var found []deployed
	objs, deployments := all[*appsv1.Deployment](b)
	for i, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if len(c.Command) == 0 || path.Base(c.Command[0]) != binary {
				continue
			}
			dep := deployed{where: objs[i].Where(), d: d, c: c, env: map[string]string{}, fromRefs: map[string]bool{},
				annotated: d.Spec.Template.Annotations}
			for _, e := range c.Env {
				if e.ValueFrom != nil {
					dep.fromRefs[e.Name] = true
				} else {
					dep.env[e.Name] = e.Value
				}
			}
			found = append(found, dep)
		}
	}
	return found
}

// checkServiceDeployments: every service of services/CMakeLists.txt has a Deployment running
// its binary, and every Deployment runs one of them.
func checkServiceDeployments(b Bundle, names []string, r *Report) {
	binaries := map[string]bool{}
	for _, n := range names {
		binaries["tew-"+n] = true
		if found := findDeployed(b, "tew-"+n); len(found) != 1 {
			r.Errorf(b.Name, "%d Deployments run tew-%s (container command), want 1", len(found), n)
		}
	}
	objs, deployments := all[*appsv1.Deployment](b)
	for i, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			if len(c.Command) == 0 || !binaries[path.Base(c.Command[0])] {
				r.Errorf(objs[i].Where(), "container %s runs %v, which is not a service binary (tew-<service>)", c.Name, c.Command)
			}
		}
	}
}

// crossCheckService checks a deployed service against what its binary says and answers.
func crossCheckService(b Bundle, s *Service, services Services, r *Report) {
	found := findDeployed(b, s.Binary)
	if len(found) != 1 {
		return // reported by checkServiceDeployments
	}
	dep := found[0]
	w := dep.where
	for name := range dep.env {
		if _, ok := s.Vars[name]; !ok {
			r.Errorf(w, "env %s is not a variable %s reads (see %s --help)", name, s.Binary, s.Binary)
		}
	}
	for name := range dep.fromRefs {
		if _, ok := s.Vars[name]; !ok {
			r.Errorf(w, "env %s is not a variable %s reads (see %s --help)", name, s.Binary, s.Binary)
		}
	}
	appID := effective(s, dep.env, "APP_ID")
	port := effective(s, dep.env, "APP_PORT")
	if got := dep.annotated["dapr.io/app-id"]; got != appID {
		r.Errorf(w, "annotation dapr.io/app-id %q, but %s runs as app id %q (APP_ID)", got, s.Binary, appID)
	}
	if got := dep.annotated["dapr.io/app-port"]; got != port {
		r.Errorf(w, "annotation dapr.io/app-port %q, but %s listens on %s (APP_PORT)", got, s.Binary, port)
	}
	if n, err := strconv.Atoi(port); err != nil {
		r.Errorf(w, "APP_PORT %q is not a number", port)
	} else if _, ok := containerPort(dep.c, "", int32(n)); !ok {
		r.Errorf(w, "container %s does not declare port %d, where %s listens (APP_PORT)", dep.c.Name, n, s.Binary)
	}
	if h := effective(s, dep.env, "APP_HOST"); h != "0.0.0.0" && h != "::" {
		r.Errorf(w, "APP_HOST is %q: the kubelet's probes cannot reach an app listening on loopback only (set 0.0.0.0)", h)
	}
	checkShutdownOrder(w, s, dep, r)
	checkBodyLimit(w, s, dep, r)

	subs := checkSubscriptionsAgree(b, s, dep, appID, services, r)
	checkComponentsNamed(b, s, dep, appID, r)
	checkTimeoutsAgree(b, s, dep, appID, r)
	checkScaledObjectAgrees(b, dep, appID, subs, r)
}

// requestsFor: what the deployment makes daprd and the kubelet ask the app.
func requestsFor(b Bundle, dep deployed, appID string) (live, ready, health string, bindings []string) {
	if p := dep.c.LivenessProbe; p != nil && p.HTTPGet != nil {
		live = "GET " + p.HTTPGet.Path
	}
	if p := dep.c.ReadinessProbe; p != nil && p.HTTPGet != nil {
		ready = "GET " + p.HTTPGet.Path
	}
	if dep.annotated["dapr.io/enable-app-health-check"] == "true" {
		health = "GET " + dep.annotated["dapr.io/app-health-check-path"]
	}
	objs, components := all[*componentsv1alpha1.Component](b)
	for i, c := range components {
		if slices.Contains(c.Scopes, appID) && inputBinding(b, c) {
			bindings = append(bindings, "OPTIONS "+bindingRoute(objs[i].Name, c))
		}
	}
	return live, ready, health, bindings
}

// checkSubscriptionsAgree runs the app as deployed and as it would subscribe by itself:
// as deployed it must not subscribe programmatically when the bundle declares its
// subscriptions (a topic subscribed twice), and the declared subscriptions must be exactly
// the ones the app itself would make (same topics, routes, dead-letter topics). Returns the
// app's subscriptions in the bundle.
func checkSubscriptionsAgree(b Bundle, s *Service, dep deployed, appID string, services Services, r *Report) []Sub {
	w := dep.where
	live, ready, health, bindings := requestsFor(b, dep, appID)
	requests := []string{"GET /dapr/subscribe"}
	for _, q := range append([]string{live, ready, health}, bindings...) {
		if q != "" && !slices.Contains(requests, q) {
			requests = append(requests, q)
		}
	}
	asDeployed, err := services.Probe(s, dep.env, requests)
	if err != nil {
		r.Errorf(w, "running %s as deployed: %v", s.Binary, err)
		return nil
	}
	for _, q := range []string{live, health} {
		if q != "" && asDeployed.Codes[q] != 200 {
			r.Errorf(w, "%s answers %s with %d, want 200 (liveness / daprd's app health check)", s.Binary, q, asDeployed.Codes[q])
		}
	}
	if ready != "" && asDeployed.Codes[ready] != 200 && asDeployed.Codes[ready] != 503 {
		r.Errorf(w, "%s answers readiness probe %s with %d, want 200 or 503", s.Binary, ready, asDeployed.Codes[ready])
	}
	for _, q := range bindings {
		if c := asDeployed.Codes[q]; (c < 200 || c > 299) && c != 405 {
			r.Errorf(w, "%s answers %s with %d: daprd would not start that input binding (needs 2xx or 405)", s.Binary, q, c)
		}
	}

	var declared []Sub
	for _, sub := range declaredSubs(b) {
		if sub.App == appID {
			declared = append(declared, sub)
		}
	}
	if len(declared) == 0 {
		// The app subscribes itself.
		for i := range asDeployed.Subscriptions {
			asDeployed.Subscriptions[i].App = appID
		}
		return asDeployed.Subscriptions
	}
	if len(asDeployed.Subscriptions) > 0 {
		r.Errorf(w, "the bundle declares %s's subscriptions, but as deployed %s also answers /dapr/subscribe with %d: every topic would be subscribed twice (set DAPR_SUBSCRIBE=declarative)",
			appID, s.Binary, len(asDeployed.Subscriptions))
	}
	own := map[string]string{}
	for k, v := range dep.env {
		own[k] = v
	}
	delete(own, "DAPR_SUBSCRIBE")
	itself, err := services.Probe(s, own, []string{"GET /dapr/subscribe"})
	if err != nil {
		r.Errorf(w, "running %s subscribing by itself: %v", s.Binary, err)
		return declared
	}
	want := map[string]Sub{}
	for _, sub := range itself.Subscriptions {
		sub.App = appID
		want[sub.Key()] = sub
	}
	got := map[string]Sub{}
	for _, sub := range declared {
		got[sub.Key()] = sub
	}
	for k, sub := range want {
		if g, ok := got[k]; !ok {
			r.Errorf(b.Name, "no Subscription for %s, which %s subscribes to by itself: %s", k, s.Binary, sub)
		} else if g != sub {
			r.Errorf(b.Name, "Subscription differs from what %s subscribes to by itself:\n  declared: %s\n  the app:  %s", s.Binary, g, sub)
		}
	}
	for k, sub := range got {
		if _, ok := want[k]; !ok {
			r.Errorf(b.Name, "Subscription %s: %s does not subscribe to it by itself, so it has no route for it", sub, s.Binary)
		}
	}
	return declared
}

// Variables that name a Dapr component, and the kind of component they name.
func componentVariable(name string) (kind string, ok bool) {
	switch {
	case name == "PUBSUB_NAME":
		return "pubsub", true
	case name == "STATE_STORE":
		return "state", true
	case strings.HasSuffix(name, "_BINDING"):
		return "bindings", true
	}
	return "", false
}

// checkComponentsNamed: each component variable of the app names a component of that kind
// that serves the app, and each component scoped to the app is one the app names.
func checkComponentsNamed(b Bundle, s *Service, dep deployed, appID string, r *Report) {
	named := map[string]bool{}
	for _, v := range sortedKeys(s.Vars) {
		value := effective(s, dep.env, v)
		named[value] = true
		kind, ok := componentVariable(v)
		if !ok || value == "" {
			continue
		}
		c, found := namedComponent(b, value)
		switch {
		case !found:
			r.Errorf(b.Name, "%s %s=%q, but the bundle has no Component %q", s.Binary, v, value, value)
		case componentKind(c) != kind:
			r.Errorf(b.Name, "%s %s=%q names a %s component, want %s.*", s.Binary, v, value, c.Spec.Type, kind)
		case !inScope(c.Scopes, appID):
			r.Errorf(b.Name, "%s %s=%q, but Component %q is not scoped to app %s", s.Binary, v, value, value, appID)
		}
	}
	objs, components := all[*componentsv1alpha1.Component](b)
	for i, c := range components {
		if slices.Contains(c.Scopes, appID) && !named[objs[i].Name] {
			r.Errorf(objs[i].Where(), "scoped to app %s, but no variable of %s names it (see %s --help)", appID, s.Binary, s.Binary)
		}
	}
}

func namedComponent(b Bundle, name string) (*componentsv1alpha1.Component, bool) {
	return named[*componentsv1alpha1.Component](b, name)
}

// checkTimeoutsAgree: daprd's outbound timeouts end before the app gives up on an attempt
// (SIDECAR_TIMEOUT_MS), and its inbound timeouts before the app's claim on an event lapses
// (DEDUP_LEASE_SECONDS), so a redelivery never runs beside a handling still in progress.
func checkTimeoutsAgree(b Bundle, s *Service, dep deployed, appID string, r *Report) {
	targets, timeouts := policiesFor(b, appID)
	attempt, err1 := strconv.Atoi(effective(s, dep.env, "SIDECAR_TIMEOUT_MS"))
	lease, err2 := strconv.Atoi(effective(s, dep.env, "DEDUP_LEASE_SECONDS"))
	for name, t := range targets {
		c, ok := namedComponent(b, name)
		if !ok || !inScope(c.Scopes, appID) {
			continue
		}
		if d, ok := timeouts[t.Outbound.Timeout]; ok && err1 == nil && d >= time.Duration(attempt)*time.Millisecond {
			r.Errorf(b.Name, "Resiliency outbound timeout of %s for app %s is %s, not below the app's SIDECAR_TIMEOUT_MS %d ms",
				name, appID, d, attempt)
		}
		if d, ok := timeouts[t.Inbound.Timeout]; ok && err2 == nil && d >= time.Duration(lease)*time.Second {
			r.Errorf(b.Name, "Resiliency inbound timeout of %s for app %s is %s, not below the app's DEDUP_LEASE_SECONDS %d s",
				name, appID, d, lease)
		}
	}
}

// checkShutdownOrder: on SIGTERM the app drains for SHUTDOWN_GRACE_MS while daprd keeps its
// API up for graceful-shutdown-seconds, both within the pod's grace period.
func checkShutdownOrder(w string, s *Service, dep deployed, r *Report) {
	grace := int64(30)
	if g := dep.d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	app, err := strconv.ParseInt(effective(s, dep.env, "SHUTDOWN_GRACE_MS"), 10, 64)
	if err != nil {
		return
	}
	if app >= grace*1000 {
		r.Errorf(w, "SHUTDOWN_GRACE_MS %d is not below terminationGracePeriodSeconds %d s", app, grace)
	}
	if v := dep.annotated["dapr.io/graceful-shutdown-seconds"]; v != "" {
		if sidecar, err := strconv.ParseInt(v, 10, 64); err == nil {
			if sidecar*1000 <= app {
				r.Errorf(w, "dapr.io/graceful-shutdown-seconds %d s ends before the app's SHUTDOWN_GRACE_MS %d ms: the app could not publish while it drains", sidecar, app)
			}
			if sidecar >= grace {
				r.Errorf(w, "dapr.io/graceful-shutdown-seconds %d is not below terminationGracePeriodSeconds %d", sidecar, grace)
			}
		}
	}
}

// checkBodyLimit: what daprd accepts from the app is no larger than what the app accepts.
func checkBodyLimit(w string, s *Service, dep deployed, r *Report) {
	v := dep.annotated["dapr.io/max-body-size"]
	app, err := strconv.ParseInt(effective(s, dep.env, "MAX_BODY_BYTES"), 10, 64)
	if v == "" || err != nil {
		return
	}
	if q, err := resource.ParseQuantity(v); err == nil && q.Value() > app {
		r.Errorf(w, "dapr.io/max-body-size %s (%d bytes) exceeds the app's MAX_BODY_BYTES %d", v, q.Value(), app)
	}
}

// checkScaledObjectAgrees: a KEDA Kafka trigger watches the consumer group daprd uses for
// this app, on a topic the app consumes, at the brokers of the pub/sub; every topic has one.
func checkScaledObjectAgrees(b Bundle, dep deployed, appID string, subs []Sub, r *Report) {
	objs, scaled := all[*kedav1alpha1.ScaledObject](b)
	for i, so := range scaled {
		if so.Spec.ScaleTargetRef == nil || so.Spec.ScaleTargetRef.Name != dep.d.Name {
			continue
		}
		w := objs[i].Where()
		watched := map[string]bool{}
		for _, t := range so.Spec.Triggers {
			if t.Type != "kafka" {
				continue
			}
			topic := t.Metadata["topic"]
			var sub *Sub
			for j := range subs {
				if subs[j].Topic == topic {
					sub = &subs[j]
				}
			}
			if sub == nil {
				r.Errorf(w, "kafka trigger on topic %q, which app %s does not consume", topic, appID)
				continue
			}
			watched[topic] = true
			c, ok := namedComponent(b, sub.Pubsub)
			if !ok || c.Spec.Type != "pubsub.kafka" {
				r.Errorf(w, "kafka trigger on %q, but app %s consumes it through %q, not a pubsub.kafka component", topic, appID, sub.Pubsub)
				continue
			}
			group, _ := metadataValue(c, "consumerGroup")
			group = strings.ReplaceAll(group, "{appID}", appID)
			if t.Metadata["consumerGroup"] != group {
				r.Errorf(w, "kafka trigger consumerGroup %q, but daprd consumes %q as group %q", t.Metadata["consumerGroup"], topic, group)
			}
			if brokers, _ := metadataValue(c, "brokers"); t.Metadata["bootstrapServers"] != brokers {
				r.Errorf(w, "kafka trigger bootstrapServers %q, but the pub/sub's brokers are %q", t.Metadata["bootstrapServers"], brokers)
			}
		}
		for _, sub := range subs {
			if c, ok := namedComponent(b, sub.Pubsub); ok && c.Spec.Type == "pubsub.kafka" && !watched[sub.Topic] {
				r.Errorf(w, "app %s consumes %q, but no kafka trigger watches its lag", appID, sub.Topic)
			}
		}
	}
}
