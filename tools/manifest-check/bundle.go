package main

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// all returns the objects of one Go type in the bundle, with the objects they came from.
func all[T any](b Bundle) ([]Object, []T) {
	var objs []Object
	var typed []T
	for _, o := range b.Objects {
		if t, ok := o.Typed.(T); ok {
			objs = append(objs, o)
			typed = append(typed, t)
		}
	}
	return objs, typed
}

// named returns the object of type T called name, if the bundle has one.
func named[T any](b Bundle, name string) (T, bool) {
	objs, typed := all[T](b)
	for i, o := range objs {
		if o.Name == name {
			return typed[i], true
		}
	}
	var zero T
	return zero, false
}

// selecting returns the Deployments whose pods the selector matches.
func selecting(b Bundle, sel *metav1.LabelSelector) []*appsv1.Deployment {
	if sel == nil {
		return nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() {
		return nil
	}
	var found []*appsv1.Deployment
	_, deployments := all[*appsv1.Deployment](b)
	for _, d := range deployments {
		if s.Matches(labels.Set(d.Spec.Template.Labels)) {
			found = append(found, d)
		}
	}
	return found
}

// containerPort resolves a probe's or Service's port (a number or a port name) against the
// container's declared ports.
func containerPort(c corev1.Container, port string, number int32) (int32, bool) {
	for _, p := range c.Ports {
		if (port != "" && p.Name == port) || (port == "" && p.ContainerPort == number) {
			return p.ContainerPort, true
		}
	}
	return 0, false
}
