package main

import (
	"fmt"
	"slices"
	"strings"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	"github.com/dapr/kit/cron"
)

// The schedule parser of Dapr's cron binding (components-contrib bindings/cron).
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom |
	cron.Month | cron.Dow | cron.Descriptor)

func componentKind(c *componentsv1alpha1.Component) string {
	kind, _, _ := strings.Cut(c.Spec.Type, ".")
	return kind
}

func metadataValue(c *componentsv1alpha1.Component, name string) (string, bool) {
	for _, m := range c.Spec.Metadata {
		if strings.EqualFold(m.Name, name) && m.HasValue() {
			return m.Value.String(), true
		}
	}
	return "", false
}

// checkComponent: the type exists, every metadata field is one the component reads (Dapr
// ignores unknown ones silently), secrets come from Secrets, values are in their allowed
// sets, and the component is scoped to apps of ours.
func checkComponent(o Object, c *componentsv1alpha1.Component, contrib *Contrib, apps map[string]bool, r *Report) {
	w := o.Where()
	if c.Spec.Version == "" {
		r.Errorf(w, "no spec.version")
	}
	fields, err := contrib.Info(c.Spec.Type, c.Spec.Version)
	if err != nil {
		r.Errorf(w, "type %s: %v", c.Spec.Type, err)
	}
	seen := map[string]bool{}
	for _, m := range c.Spec.Metadata {
		mw := fmt.Sprintf("%s metadata %s", w, m.Name)
		lower := strings.ToLower(m.Name)
		if seen[lower] {
			r.Errorf(mw, "set twice")
		}
		seen[lower] = true
		hasRef := m.SecretKeyRef.Name != "" || m.SecretKeyRef.Key != ""
		if m.HasValue() == hasRef && m.EnvRef == "" {
			r.Errorf(mw, "needs exactly one of value and secretKeyRef")
		}
		if fields == nil {
			continue
		}
		f, ok := fields.Fields[lower]
		if !ok {
			r.Errorf(mw, "%s does not read a field %q (according to %s)", c.Spec.Type, m.Name, fields.Source)
			continue
		}
		if (f.Sensitive || secretName.MatchString(strings.ToUpper(m.Name))) && m.HasValue() {
			r.Errorf(mw, "is a secret: take it from a Secret (secretKeyRef), not an inline value")
		}
		if v := m.Value.String(); m.HasValue() && len(f.AllowedValues) > 0 && !slices.Contains(f.AllowedValues, v) {
			r.Errorf(mw, "%q is not one of %v", v, f.AllowedValues)
		}
	}
	if c.Spec.Type == "bindings.cron" {
		if s, ok := metadataValue(c, "schedule"); !ok {
			r.Errorf(w, "no schedule")
		} else if _, err := cronParser.Parse(s); err != nil {
			r.Errorf(w, "schedule %q: %v", s, err)
		}
	}
	if componentKind(c) == "bindings" {
		if d, ok := metadataValue(c, "direction"); ok && d != "input" && d != "output" && d != "input, output" {
			r.Errorf(w, "direction %q is not input, output or \"input, output\"", d)
		}
	}
	checkScopes(w, c.Scopes, apps, r)
}

func checkScopes(w string, scopes []string, apps map[string]bool, r *Report) {
	if len(scopes) == 0 {
		r.Errorf(w, "no scopes: it would apply to every app in the namespace")
	}
	for _, s := range scopes {
		if !apps[s] {
			r.Errorf(w, "scope %q is not an app id of ours (%s)", s, strings.Join(sortedKeys(apps), ", "))
		}
	}
}

// inScope says whether a scoped resource applies to an app (no scopes: every app).
func inScope(scopes []string, app string) bool {
	return len(scopes) == 0 || slices.Contains(scopes, app)
}

// inputBinding: a binding daprd delivers to the app: metadata `direction` when set, else
// whether the component type can be read from.
func inputBinding(b Bundle, c *componentsv1alpha1.Component) bool {
	if componentKind(c) != "bindings" {
		return false
	}
	if d, ok := metadataValue(c, "direction"); ok {
		return strings.Contains(d, "input")
	}
	info, err := b.Contrib.Info(c.Spec.Type, c.Spec.Version)
	return err == nil && info.Input
}

// bindingRoute is the path daprd calls for an input binding: metadata `route`, else /<name>.
func bindingRoute(name string, c *componentsv1alpha1.Component) string {
	if route, ok := metadataValue(c, "route"); ok {
		return route
	}
	return "/" + name
}
