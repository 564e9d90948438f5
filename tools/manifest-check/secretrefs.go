package main

import (
	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
)

type secretRef struct{ what, name, key string }

// secretRefs lists the Secrets (name, key) an object reads.
func secretRefs(o Object) []secretRef {
	var refs []secretRef
	switch t := o.Typed.(type) {
	case *appsv1.Deployment:
		an := t.Spec.Template.Annotations
		for _, a := range []string{"dapr.io/app-token-secret", "dapr.io/api-token-secret"} {
			if an[a] != "" {
				refs = append(refs, secretRef{"annotation " + a, an[a], "token"})
			}
		}
		for _, c := range t.Spec.Template.Spec.Containers {
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					refs = append(refs, secretRef{"env " + e.Name, e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key})
				}
			}
			for _, f := range c.EnvFrom {
				if f.SecretRef != nil {
					refs = append(refs, secretRef{"envFrom", f.SecretRef.Name, "*"})
				}
			}
		}
	case *componentsv1alpha1.Component:
		for _, m := range t.Spec.Metadata {
			if m.SecretKeyRef.Name != "" || m.SecretKeyRef.Key != "" {
				refs = append(refs, secretRef{"metadata " + m.Name, m.SecretKeyRef.Name, m.SecretKeyRef.Key})
			}
		}
	case *kedav1alpha1.TriggerAuthentication:
		for _, s := range t.Spec.SecretTargetRef {
			refs = append(refs, secretRef{"parameter " + s.Parameter, s.Name, s.Key})
		}
	}
	return refs
}
