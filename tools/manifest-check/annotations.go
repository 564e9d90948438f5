package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	configurationv1alpha1 "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	"github.com/dapr/dapr/pkg/config/protocol"
	"github.com/dapr/dapr/pkg/injector/patcher"
	"github.com/dapr/dapr/pkg/validation"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

const daprAnnotationPrefix = "dapr.io/"

// daprAnnotations maps every annotation Dapr's sidecar injector reads to the Go type of the
// field it sets, taken from the injector's own SidecarConfig (the `annotation` struct tags),
// so a misspelled annotation — which the injector would silently ignore — is an error here.
var daprAnnotations = func() map[string]reflect.Type {
	known := map[string]reflect.Type{}
	t := reflect.TypeOf(patcher.SidecarConfig{})
	for i := 0; i < t.NumField(); i++ {
		if key := t.Field(i).Tag.Get("annotation"); key != "" {
			known[key] = t.Field(i).Type
		}
	}
	return known
}()

// Annotations whose text has a format beyond the field's Go type.
var daprAnnotationFormats = map[string]func(string) error{
	"dapr.io/app-id": validation.ValidateKubernetesAppID,
	"dapr.io/app-protocol": func(v string) error {
		switch protocol.Protocol(v) {
		case protocol.HTTPProtocol, protocol.HTTPSProtocol, protocol.H2CProtocol,
			protocol.GRPCProtocol, protocol.GRPCSProtocol:
			return nil
		}
		return fmt.Errorf("not one of http, https, h2c, grpc, grpcs")
	},
	"dapr.io/log-level": func(v string) error {
		switch v {
		case "debug", "info", "warn", "error", "fatal":
			return nil
		}
		return fmt.Errorf("not one of debug, info, warn, error, fatal")
	},
	"dapr.io/sidecar-cpu-request":    parseQuantity,
	"dapr.io/sidecar-cpu-limit":      parseQuantity,
	"dapr.io/sidecar-memory-request": parseQuantity,
	"dapr.io/sidecar-memory-limit":   parseQuantity,
	"dapr.io/max-body-size":          parseQuantity,
	"dapr.io/read-buffer-size":       parseQuantity,
	"dapr.io/block-shutdown-duration": func(v string) error {
		_, err := time.ParseDuration(v)
		return err
	},
	"dapr.io/app-health-check-path": func(v string) error {
		if !strings.HasPrefix(v, "/") {
			return fmt.Errorf("does not start with /")
		}
		return nil
	},
}

func parseQuantity(v string) error {
	_, err := resource.ParseQuantity(v)
	return err
}

// checkDaprAnnotations validates the pod template's dapr.io/ annotations: known names, values
// of the right type, and agreement with the pod (ports, token Secrets, Configuration).
func checkDaprAnnotations(b Bundle, o Object, d *appsv1.Deployment, r *Report) {
	w := o.Where()
	an := d.Spec.Template.Annotations
	for key, value := range an {
		if !strings.HasPrefix(key, daprAnnotationPrefix) {
			continue
		}
		t, ok := daprAnnotations[key]
		if !ok {
			r.Errorf(w, "annotation %s is not one Dapr's sidecar injector reads", key)
			continue
		}
		if err := checkAnnotationValue(t, value); err != nil {
			r.Errorf(w, "annotation %s: %q: %v", key, value, err)
		} else if format := daprAnnotationFormats[key]; format != nil {
			if err := format(value); err != nil {
				r.Errorf(w, "annotation %s: %q: %v", key, value, err)
			}
		}
	}
	if an["dapr.io/enabled"] != "true" {
		r.Errorf(w, "annotation dapr.io/enabled is not \"true\": no sidecar would be injected")
		return
	}
	for _, required := range []string{"dapr.io/app-id", "dapr.io/app-port", "dapr.io/config"} {
		if an[required] == "" {
			r.Errorf(w, "no annotation %s", required)
		}
	}
	if port, err := strconv.Atoi(an["dapr.io/app-port"]); err == nil {
		if !anyContainerPort(d, int32(port)) {
			r.Errorf(w, "annotation dapr.io/app-port %d is not a container port", port)
		}
	}
	if name := an["dapr.io/config"]; name != "" {
		if _, ok := named[*configurationv1alpha1.Configuration](b, name); !ok {
			r.Errorf(w, "annotation dapr.io/config names Configuration %q, which the bundle does not have", name)
		}
	}
	if an["dapr.io/enable-app-health-check"] == "true" && an["dapr.io/app-health-check-path"] == "" {
		r.Errorf(w, "app health check on, but no dapr.io/app-health-check-path (the default /healthz is implicit)")
	}
	// The injector gives daprd the token from key "token" of the named Secret; the app needs
	// the same value in its own variable.
	checkTokenPair(w, d, an["dapr.io/app-token-secret"], "dapr.io/app-token-secret", "APP_API_TOKEN", r)
	checkTokenPair(w, d, an["dapr.io/api-token-secret"], "dapr.io/api-token-secret", "DAPR_API_TOKEN", r)
}

func checkAnnotationValue(t reflect.Type, v string) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		if v != "true" && v != "false" {
			return fmt.Errorf("not true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(v, 10, t.Bits()); err != nil {
			return fmt.Errorf("not an integer")
		}
	}
	return nil
}

func anyContainerPort(d *appsv1.Deployment, port int32) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		if _, ok := containerPort(c, "", port); ok {
			return true
		}
	}
	return false
}

func checkTokenPair(w string, d *appsv1.Deployment, secret, annotation, env string, r *Report) {
	for _, c := range d.Spec.Template.Spec.Containers {
		ref := envSecretRef(c, env)
		switch {
		case secret == "" && ref != nil:
			r.Errorf(w, "container %s reads %s from a Secret, but there is no %s annotation, so daprd does not use the token", c.Name, env, annotation)
		case secret != "" && ref == nil:
			r.Errorf(w, "annotation %s is set, but container %s does not read %s from Secret %s key token", annotation, c.Name, env, secret)
		case secret != "" && (ref.Name != secret || ref.Key != "token"):
			r.Errorf(w, "container %s reads %s from Secret %s key %s, but daprd uses Secret %s key token (%s)", c.Name, env, ref.Name, ref.Key, secret, annotation)
		}
	}
}

func envSecretRef(c corev1.Container, name string) *corev1.SecretKeySelector {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil {
			return e.ValueFrom.SecretKeyRef
		}
	}
	return nil
}
