package main

import (
	"strconv"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationv1alpha1 "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
)

func checkConfiguration(o Object, c *configurationv1alpha1.Configuration, r *Report) {
	if t := c.Spec.TracingSpec; t != nil {
		if rate, err := strconv.ParseFloat(t.SamplingRate, 64); err != nil || rate < 0 || rate > 1 {
			r.Errorf(o.Where(), "tracing.samplingRate %q is not a number from 0 to 1", t.SamplingRate)
		}
	}
	if a := c.Spec.AccessControlSpec; a != nil && a.DefaultAction != "" && a.DefaultAction != "allow" && a.DefaultAction != "deny" {
		r.Errorf(o.Where(), "accessControl.defaultAction %q is not allow or deny", a.DefaultAction)
	}
	if s := c.Spec.Secrets; s != nil {
		for _, scope := range s.Scopes {
			if scope.DefaultAccess != "" && scope.DefaultAccess != "allow" && scope.DefaultAccess != "deny" {
				r.Errorf(o.Where(), "secrets scope %s: defaultAccess %q is not allow or deny", scope.StoreName, scope.DefaultAccess)
			}
		}
	}
}

// checkRetryCoverage: daprd retries nothing without a Resiliency policy, and a failed
// delivery is then acknowledged: every subscription and input binding needs an inbound retry
// policy for its app.
func checkRetryCoverage(b Bundle, r *Report) {
	for _, s := range declaredSubs(b) {
		targets, _ := policiesFor(b, s.App)
		if targets[s.Pubsub].Inbound.Retry == "" {
			r.Errorf(b.Name, "no Resiliency inbound retry policy for pub/sub %q and app %s: a RETRY answer would be lost", s.Pubsub, s.App)
		}
	}
	objs, components := all[*componentsv1alpha1.Component](b)
	for i, c := range components {
		if !inputBinding(b, c) {
			continue
		}
		for _, app := range c.Scopes {
			targets, _ := policiesFor(b, app)
			if targets[objs[i].Name].Inbound.Retry == "" {
				r.Errorf(objs[i].Where(), "no Resiliency inbound retry policy for app %s: a 503 answer would not be retried", app)
			}
		}
	}
}

// appIDs are the Dapr app ids the bundle's Deployments run as.
func appIDs(b Bundle, r *Report) map[string]bool {
	ids := map[string]bool{}
	objs, deployments := all[*appsv1.Deployment](b)
	for i, d := range deployments {
		id := d.Spec.Template.Annotations["dapr.io/app-id"]
		if id == "" {
			continue
		}
		if ids[id] {
			r.Errorf(objs[i].Where(), "app id %q is used by another Deployment too", id)
		}
		ids[id] = true
	}
	return ids
}
