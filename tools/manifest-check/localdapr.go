package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationv1alpha1 "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	resiliencyv1alpha1 "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	subscriptionsv2alpha1 "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	sigsyaml "sigs.k8s.io/yaml"
)

// checkLocalDapr validates the local Dapr resources under dapr/ (used by daprd in standalone
// mode) like the cluster's, and checks they agree with k8s/base where they must: the
// components the services name by default, input bindings, scopes, and subscriptions.
// Output bindings may differ (a service is told which one to use).
func checkLocalDapr(root string, base Bundle, services []*Service, contrib *Contrib, r *Report) {
	dir := filepath.Join(root, "dapr")
	if !exists(dir) {
		r.Notef("dapr/ does not exist: the local Dapr resources are not cross-checked")
		return
	}
	local := Bundle{Name: "dapr/", Contrib: contrib}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		local.Objects = append(local.Objects, decodeFile(root, path, r)...)
		return nil
	})
	if err != nil {
		r.Errorf("dapr/", "%v", err)
		return
	}
	apps := appIDs(base, r)
	for _, s := range services {
		apps[s.Vars["APP_ID"]] = true
	}
	for _, o := range local.Objects {
		switch t := o.Typed.(type) {
		case *componentsv1alpha1.Component:
			checkComponent(o, t, contrib, apps, r)
			checkLocalSecretStore(local, o, t, r)
		case *subscriptionsv2alpha1.Subscription:
			checkSubscription(local, o, t, apps, r)
		case *resiliencyv1alpha1.Resiliency:
			checkResiliency(local, o, t, apps, r)
		case *configurationv1alpha1.Configuration:
			checkConfiguration(o, t, r)
		default:
			r.Errorf(o.Where(), "dapr/ holds Dapr resources only")
		}
	}
	checkSubscribedOnce(local.Name, declaredSubs(local), r)
	checkRetryCoverage(local, r)
	checkComponentsAgree(base, local, services, r)
	checkSubscriptionsMatch(base, local, r)
	checkRunFile(root, services, r)
}

// checkLocalSecretStore: outside Kubernetes a secretKeyRef is resolved by the secret store
// the component names in auth.secretStore, which must exist.
func checkLocalSecretStore(local Bundle, o Object, c *componentsv1alpha1.Component, r *Report) {
	uses := false
	for _, m := range c.Spec.Metadata {
		uses = uses || m.SecretKeyRef.Name != ""
	}
	if !uses {
		return
	}
	store, ok := named[*componentsv1alpha1.Component](local, c.Auth.SecretStore)
	if c.Auth.SecretStore == "" || !ok || componentKind(store) != "secretstores" {
		r.Errorf(o.Where(), "uses secretKeyRef, but auth.secretStore %q names no secret store component in dapr/", c.Auth.SecretStore)
	}
}

func componentsByName(b Bundle) map[string][]*componentsv1alpha1.Component {
	m := map[string][]*componentsv1alpha1.Component{}
	objs, components := all[*componentsv1alpha1.Component](b)
	for i, c := range components {
		m[objs[i].Name] = append(m[objs[i].Name], c)
	}
	return m
}

func checkComponentsAgree(base, local Bundle, services []*Service, r *Report) {
	inBase, inLocal := componentsByName(base), componentsByName(local)
	// What must exist on both sides: the components the services name by default, and every
	// pub/sub, state store and input binding (the services name those by default too).
	must := map[string]bool{}
	for _, s := range services {
		for v, def := range s.Vars {
			if _, ok := componentVariable(v); ok && def != "" {
				must[def] = true
			}
		}
	}
	for _, side := range []Bundle{base, local} {
		for name, cs := range componentsByName(side) {
			for _, c := range cs {
				if k := componentKind(c); k == "pubsub" || k == "state" || inputBinding(side, c) {
					must[name] = true
				}
			}
		}
	}
	for _, name := range sortedKeys(must) {
		b, l := inBase[name], inLocal[name]
		switch {
		case len(b) == 0:
			r.Errorf("k8s/base", "no Component %q, which dapr/ has (or a service names by default)", name)
		case len(l) == 0:
			r.Errorf("dapr/", "no Component %q, which k8s/base has (or a service names by default)", name)
		default:
			for _, lc := range l {
				if componentKind(lc) != componentKind(b[0]) || inputBinding(local, lc) != inputBinding(base, b[0]) {
					r.Errorf("dapr/", "Component %q is a %s, but in k8s/base a %s", name, lc.Spec.Type, b[0].Spec.Type)
				}
				if !sameSet(lc.Scopes, b[0].Scopes) {
					r.Errorf("dapr/", "Component %q is scoped to %v, but in k8s/base to %v", name, lc.Scopes, b[0].Scopes)
				}
			}
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkSubscriptionsMatch: when dapr/ declares subscriptions, they are the cluster's.
func checkSubscriptionsMatch(base, local Bundle, r *Report) {
	l := declaredSubs(local)
	if len(l) == 0 {
		return
	}
	want := map[string]string{}
	for _, s := range declaredSubs(base) {
		want[s.Key()] = s.String()
	}
	got := map[string]string{}
	for _, s := range l {
		got[s.Key()] = s.String()
	}
	for k, s := range want {
		if got[k] != s {
			r.Errorf("dapr/", "subscription differs from k8s/base:\n  k8s/base: %s\n  dapr/:    %s", s, orNone(got[k]))
		}
	}
	for k, s := range got {
		if _, ok := want[k]; !ok {
			r.Errorf("dapr/", "subscription %s is not in k8s/base", s)
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkRunFile: the Dapr CLI's multi-app run file (dapr.yaml) gives each app the id and port
// its service runs with.
func checkRunFile(root string, services []*Service, r *Report) {
	data, err := os.ReadFile(filepath.Join(root, "dapr.yaml"))
	if err != nil {
		return
	}
	var run struct {
		Apps []struct {
			AppID   string            `json:"appID"`
			AppPort int               `json:"appPort"`
			Command []string          `json:"command"`
			Env     map[string]string `json:"env"`
		} `json:"apps"`
	}
	if err := sigsyaml.Unmarshal(data, &run); err != nil {
		r.Errorf("dapr.yaml", "%v", err)
		return
	}
	for _, s := range services {
		found := false
		for _, a := range run.Apps {
			runs := slices.ContainsFunc(a.Command, func(c string) bool { return strings.Contains(c, s.Binary) })
			if !runs && a.AppID != s.Vars["APP_ID"] {
				continue
			}
			found = true
			if id := effective(s, a.Env, "APP_ID"); a.AppID != id {
				r.Errorf("dapr.yaml", "app %q runs %s, whose app id is %q", a.AppID, s.Binary, id)
			}
			if port := effective(s, a.Env, "APP_PORT"); strconv.Itoa(a.AppPort) != port {
				r.Errorf("dapr.yaml", "app %q: appPort %d, but %s listens on %s", a.AppID, a.AppPort, s.Binary, port)
			}
		}
		if !found {
			r.Errorf("dapr.yaml", "no app runs %s (app id %s)", s.Binary, s.Vars["APP_ID"])
		}
	}
}
