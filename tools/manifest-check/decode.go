package main

import (
	"fmt"
	"sort"
	"strings"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationv1alpha1 "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	resiliencyv1alpha1 "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	subscriptionsv2alpha1 "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	sigsjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// The API types a manifest of ours may have, each decoded into the Go type its controller
// uses: the Kubernetes API, Dapr's CRDs (the release daprd is built from) and KEDA's.
var apiTypes = map[string]func() any{
	"v1/Namespace":                           func() any { return &corev1.Namespace{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"dapr.io/v1alpha1/Component":             func() any { return &componentsv1alpha1.Component{} },
	"dapr.io/v1alpha1/Configuration":         func() any { return &configurationv1alpha1.Configuration{} },
	"dapr.io/v1alpha1/Resiliency":            func() any { return &resiliencyv1alpha1.Resiliency{} },
	"dapr.io/v2alpha1/Subscription":          func() any { return &subscriptionsv2alpha1.Subscription{} },
	"keda.sh/v1alpha1/ScaledObject":          func() any { return &kedav1alpha1.ScaledObject{} },
	"keda.sh/v1alpha1/TriggerAuthentication": func() any {
		return &kedav1alpha1.TriggerAuthentication{}
	},
}

// Object is one decoded manifest.
type Object struct {
	Origin     string // where it came from, e.g. "k8s/base" or "dapr/components/pubsub.yaml"
	APIVersion string
	Kind       string
	Name       string
	Namespace  string
	Typed      any
}

func (o Object) Where() string {
	return fmt.Sprintf("%s: %s %s", o.Origin, o.Kind, o.Name)
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// decodeStrict decodes one YAML document the way the API server's strict field validation
// does: a duplicate key, an unknown field or a field in the wrong case is an error, and so is
// an apiVersion/kind we have no type for.
func decodeStrict(origin string, doc []byte) (Object, error) {
	js, err := sigsyaml.YAMLToJSONStrict(doc)
	if err != nil {
		return Object{}, fmt.Errorf("%s: not valid YAML: %w", origin, err)
	}
	var tm typeMeta
	if err := sigsyaml.Unmarshal(js, &tm); err != nil {
		return Object{}, fmt.Errorf("%s: %w", origin, err)
	}
	o := Object{Origin: origin, APIVersion: tm.APIVersion, Kind: tm.Kind,
		Name: tm.Metadata.Name, Namespace: tm.Metadata.Namespace}
	newTyped, ok := apiTypes[tm.APIVersion+"/"+tm.Kind]
	if !ok {
		return o, fmt.Errorf("%s: unknown apiVersion/kind %q/%q (known: %s)", o.Where(),
			tm.APIVersion, tm.Kind, strings.Join(knownKinds(), ", "))
	}
	typed := newTyped()
	strict, err := sigsjson.UnmarshalStrict(js, typed, sigsjson.DisallowDuplicateFields,
		sigsjson.DisallowUnknownFields)
	if err != nil {
		return o, fmt.Errorf("%s: %w", o.Where(), err)
	}
	// Only unknown or duplicate fields: the object decoded otherwise, so the other checks
	// still see it (and do not report its absence).
	o.Typed = typed
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return o, fmt.Errorf("%s: %s", o.Where(), strings.Join(msgs, "; "))
	}
	if o.Name == "" {
		return o, fmt.Errorf("%s: %s has no metadata.name", origin, o.Kind)
	}
	return o, nil
}

func knownKinds() []string {
	kinds := make([]string, 0, len(apiTypes))
	for k := range apiTypes {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
