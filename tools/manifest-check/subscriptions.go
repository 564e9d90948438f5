package main

import (
	"fmt"
	"sort"
	"strings"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	subscriptionsv2alpha1 "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	"github.com/dapr/dapr/pkg/expr"
)

// Sub is one app's subscription to one topic, in a form that compares across sources: the
// declarative Subscriptions of k8s/ and dapr/, and what an app answers on /dapr/subscribe.
type Sub struct {
	App, Pubsub, Topic string
	Default            string
	Rules              string // "match -> path; ..."
	DeadLetter         string
	Metadata           string // "k=v,..."
	Bulk               bool
}

func (s Sub) Key() string { return s.App + " " + s.Pubsub + "/" + s.Topic }

func (s Sub) String() string {
	out := fmt.Sprintf("app %s: %s/%s -> default %q", s.App, s.Pubsub, s.Topic, s.Default)
	if s.Rules != "" {
		out += ", rules [" + s.Rules + "]"
	}
	out += fmt.Sprintf(", deadLetterTopic %q", s.DeadLetter)
	if s.Metadata != "" {
		out += ", metadata {" + s.Metadata + "}"
	}
	if s.Bulk {
		out += ", bulk"
	}
	return out
}

func newSub(app, pubsub, topic, def string, rules [][2]string, deadLetter string,
	metadata map[string]string, bulk bool) Sub {
	rs := make([]string, len(rules))
	for i, r := range rules {
		rs[i] = r[0] + " -> " + r[1]
	}
	md := make([]string, 0, len(metadata))
	for k, v := range metadata {
		md = append(md, k+"="+v)
	}
	sort.Strings(md)
	return Sub{App: app, Pubsub: pubsub, Topic: topic, Default: def, Rules: strings.Join(rs, "; "),
		DeadLetter: deadLetter, Metadata: strings.Join(md, ","), Bulk: bulk}
}

// declaredSubs flattens the bundle's Subscriptions to one Sub per scoped app.
func declaredSubs(b Bundle) []Sub {
	var subs []Sub
	_, all := all[*subscriptionsv2alpha1.Subscription](b)
	for _, s := range all {
		rules := make([][2]string, len(s.Spec.Routes.Rules))
		for i, r := range s.Spec.Routes.Rules {
			rules[i] = [2]string{r.Match, r.Path}
		}
		for _, app := range s.Scopes {
			subs = append(subs, newSub(app, s.Spec.Pubsubname, s.Spec.Topic, s.Spec.Routes.Default, rules,
				s.Spec.DeadLetterTopic, s.Spec.Metadata, s.Spec.BulkSubscribe.Enabled))
		}
	}
	return subs
}

// checkSubscription: the pub/sub exists and serves the subscribing apps, every message has a
// dead-letter topic to go to, routes are paths and rules compile.
func checkSubscription(b Bundle, o Object, s *subscriptionsv2alpha1.Subscription, apps map[string]bool, r *Report) {
	w := o.Where()
	checkScopes(w, s.Scopes, apps, r)
	if s.Spec.Topic == "" {
		r.Errorf(w, "no topic")
	}
	c, ok := named[*componentsv1alpha1.Component](b, s.Spec.Pubsubname)
	switch {
	case !ok:
		r.Errorf(w, "pubsubname %q names no Component of the bundle", s.Spec.Pubsubname)
	case componentKind(c) != "pubsub":
		r.Errorf(w, "pubsubname %q names a %s component, not a pub/sub", s.Spec.Pubsubname, c.Spec.Type)
	default:
		for _, app := range s.Scopes {
			if !inScope(c.Scopes, app) {
				r.Errorf(w, "app %s subscribes through %q, but that Component is not scoped to it", app, s.Spec.Pubsubname)
			}
		}
	}
	// Without a dead-letter topic a message that is dropped or runs out of retries is lost.
	switch s.Spec.DeadLetterTopic {
	case "":
		r.Errorf(w, "no deadLetterTopic: a dropped or exhausted message would be lost")
	case s.Spec.Topic:
		r.Errorf(w, "deadLetterTopic is the subscribed topic itself")
	}
	if s.Spec.Routes.Default == "" && len(s.Spec.Routes.Rules) == 0 {
		r.Errorf(w, "no routes")
	}
	checkPath(w, "routes.default", s.Spec.Routes.Default, true, r)
	for i, rule := range s.Spec.Routes.Rules {
		checkPath(w, fmt.Sprintf("routes.rules[%d].path", i), rule.Path, false, r)
		var e expr.Expr
		if err := e.DecodeString(rule.Match); err != nil || rule.Match == "" {
			r.Errorf(w, "routes.rules[%d].match %q is not a CEL expression: %v", i, rule.Match, err)
		}
	}
}

func checkPath(w, what, path string, optional bool, r *Report) {
	if (path != "" || !optional) && !strings.HasPrefix(path, "/") {
		r.Errorf(w, "%s %q is not a path (starting with /)", what, path)
	}
}

// checkSubscribedOnce: one subscription per app, pub/sub and topic (a second one would be
// ignored or, mixed with programmatic ones, deliver twice).
func checkSubscribedOnce(where string, subs []Sub, r *Report) {
	seen := map[string]bool{}
	for _, s := range subs {
		if seen[s.Key()] {
			r.Errorf(where, "%s is subscribed more than once", s.Key())
		}
		seen[s.Key()] = true
	}
}
