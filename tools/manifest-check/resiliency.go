package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	resiliencyv1alpha1 "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	"github.com/dapr/dapr/pkg/resiliency/breaker"
	"github.com/dapr/kit/config"
	"github.com/dapr/kit/retry"
)

// parseTimeout reads a timeout policy the way daprd does: milliseconds or a Go duration.
func parseTimeout(v string) (time.Duration, error) {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(i) * time.Millisecond, nil
	}
	return time.ParseDuration(v)
}

func toMap(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m any
	return m, json.Unmarshal(data, &m)
}

// checkResiliency decodes every policy with daprd's own decoders and checks that targets
// name policies and components that exist.
func checkResiliency(b Bundle, o Object, res *resiliencyv1alpha1.Resiliency, apps map[string]bool, r *Report) {
	w := o.Where()
	p := res.Spec.Policies
	for name, t := range p.Timeouts {
		if d, err := parseTimeout(t); err != nil || d <= 0 {
			r.Errorf(w, "timeout %s: %q is not a positive duration", name, t)
		}
	}
	for name, rp := range p.Retries {
		rc := retry.DefaultConfig()
		m, err := toMap(rp)
		if err == nil {
			err = retry.DecodeConfig(&rc, m)
		}
		if err != nil {
			r.Errorf(w, "retry %s: %v", name, err)
		}
		if rp.Policy != "constant" && rp.Policy != "exponential" {
			r.Errorf(w, "retry %s: policy %q is not constant or exponential", name, rp.Policy)
		}
	}
	for name, cb := range p.CircuitBreakers {
		checkCircuitBreaker(w, name, cb, r)
	}
	components := map[string]bool{}
	_, all := all[*componentsv1alpha1.Component](b)
	for _, c := range all {
		components[c.Name] = true
	}
	for name, t := range res.Spec.Targets.Components {
		if !components[name] {
			r.Errorf(w, "targets.components.%s: no such Component in the bundle", name)
		}
		for dir, names := range map[string]resiliencyv1alpha1.PolicyNames{"inbound": t.Inbound, "outbound": t.Outbound} {
			where := fmt.Sprintf("%s targets.components.%s.%s", w, name, dir)
			refPolicy(where, "timeout", names.Timeout, p.Timeouts, r)
			refPolicy(where, "retry", names.Retry, p.Retries, r)
			refPolicy(where, "circuitBreaker", names.CircuitBreaker, p.CircuitBreakers, r)
		}
	}
	for name, t := range res.Spec.Targets.Apps {
		where := w + " targets.apps." + name
		refPolicy(where, "timeout", t.Timeout, p.Timeouts, r)
		refPolicy(where, "retry", t.Retry, p.Retries, r)
		refPolicy(where, "circuitBreaker", t.CircuitBreaker, p.CircuitBreakers, r)
	}
	// Unscoped, a Resiliency applies to every app, which is harmless; named scopes must be ours.
	for _, s := range res.Scopes {
		if !apps[s] {
			r.Errorf(w, "scope %q is not an app id of ours (%s)", s, strings.Join(sortedKeys(apps), ", "))
		}
	}
}

func refPolicy[T any](where, what, name string, defined map[string]T, r *Report) {
	if _, ok := defined[name]; name != "" && !ok {
		r.Errorf(where, "%s policy %q is not defined", what, name)
	}
}

// checkCircuitBreaker decodes like daprd and evaluates the trip expression with the counters
// daprd gives it: daprd compiles any name (so a misspelled counter compiles), but the
// evaluation then fails and the breaker never trips.
func checkCircuitBreaker(w, name string, spec resiliencyv1alpha1.CircuitBreaker, r *Report) {
	var cb breaker.CircuitBreaker
	m, err := toMap(spec)
	if err == nil {
		err = config.Decode(m, &cb)
	}
	if err != nil {
		r.Errorf(w, "circuitBreaker %s: %v", name, err)
		return
	}
	if cb.Trip == nil {
		return
	}
	counts := map[string]any{"requests": int64(0), "totalSuccesses": int64(0), "totalFailures": int64(0),
		"consecutiveSuccesses": int64(0), "consecutiveFailures": int64(0)}
	v, err := cb.Trip.Eval(counts)
	if _, isBool := v.(bool); err != nil || !isBool {
		r.Errorf(w, "circuitBreaker %s: trip %q does not evaluate to a bool over %v (%v)", name, spec.Trip,
			sortedKeys(counts), err)
	}
}

// policiesFor merges the component policies that apply to an app from every Resiliency in scope.
func policiesFor(b Bundle, app string) (map[string]resiliencyv1alpha1.ComponentPolicyNames, map[string]time.Duration) {
	targets := map[string]resiliencyv1alpha1.ComponentPolicyNames{}
	timeouts := map[string]time.Duration{}
	_, all := all[*resiliencyv1alpha1.Resiliency](b)
	for _, res := range all {
		if !inScope(res.Scopes, app) {
			continue
		}
		for name, t := range res.Spec.Policies.Timeouts {
			if d, err := parseTimeout(t); err == nil {
				timeouts[name] = d
			}
		}
		for name, t := range res.Spec.Targets.Components {
			targets[name] = t
		}
	}
	return targets, timeouts
}
