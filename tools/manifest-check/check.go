package main

import (
	"os"
	"path/filepath"

	componentsv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	configurationv1alpha1 "github.com/dapr/dapr/pkg/apis/configuration/v1alpha1"
	resiliencyv1alpha1 "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	subscriptionsv2alpha1 "github.com/dapr/dapr/pkg/apis/subscriptions/v2alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Options: the repository to check and where the facts about its services come from.
type Options struct {
	Root     string
	Services Services
	BinDir   string // the built binaries, for the Dockerfile's runtime libraries ("" to skip)
}

// Check validates everything under k8s/ (every kustomization rendered), dapr/ when present
// and the Dockerfile, and cross-checks them with each other and with the services.
func Check(opts Options) *Report {
	r := &Report{}
	root := opts.Root
	contrib, err := findContrib()
	if err != nil {
		r.Errorf("manifest-check", "%v", err)
		return r
	}
	kedaDir, err := moduleDir(kedaModule)
	if err != nil {
		r.Errorf("manifest-check", "%v", err)
		return r
	}
	names, err := serviceNames(root)
	if err != nil {
		r.Errorf("services", "%v", err)
		return r
	}
	var services []*Service
	for _, n := range names {
		s, err := opts.Services.Lookup(n)
		switch {
		case err != nil:
			r.Errorf("services/"+n, "%v", err)
		case s == nil:
			r.Notef("services/%s/main.cpp does not exist yet: the checks against tew-%s's own configuration are skipped", n, n)
		default:
			services = append(services, s)
		}
	}
	secrets := readSecrets(root, r)

	kustomizations, components, err := kustomizationDirs(root)
	if err != nil {
		r.Errorf("k8s", "%v", err)
		return r
	}
	if unused, err := unreferencedFiles(root, append(kustomizations, components...), secretsExample); err != nil {
		r.Errorf("k8s", "%v", err)
	} else {
		for _, f := range unused {
			r.Errorf(f, "no kustomization uses this file, so nothing applies or checks it")
		}
	}
	checkComponentsUsed(root, kustomizations, components, r)
	lintYAML(root, r)

	var base *Bundle
	for _, dir := range kustomizations {
		b := render(root, dir, contrib, r)
		checkBundle(b, contrib, kedaDir, secrets, r)
		checkServiceDeployments(b, names, r)
		for _, s := range services {
			crossCheckService(b, s, opts.Services, r)
		}
		if b.Name == "k8s/base" {
			base = &b
		}
	}
	if base == nil {
		r.Errorf("k8s/base", "no kustomization")
	} else {
		checkLocalDapr(root, *base, services, contrib, r)
		checkDockerfile(root, *base, names, opts.BinDir, r)
	}
	return r
}

func checkBundle(b Bundle, contrib *Contrib, kedaDir string, secrets Secrets, r *Report) {
	checkNamespaces(b, r)
	apps := appIDs(b, r)
	for _, o := range b.Objects {
		switch t := o.Typed.(type) {
		case *appsv1.Deployment:
			checkDeployment(b, o, t, r)
		case *corev1.Service:
			checkService(b, o, t, r)
		case *corev1.Secret:
			r.Errorf(o.Where(), "Secrets do not belong in k8s/ (see %s)", secretsExample)
		case *componentsv1alpha1.Component:
			checkComponent(o, t, contrib, apps, r)
		case *subscriptionsv2alpha1.Subscription:
			checkSubscription(b, o, t, apps, r)
		case *resiliencyv1alpha1.Resiliency:
			checkResiliency(b, o, t, apps, r)
		case *configurationv1alpha1.Configuration:
			checkConfiguration(o, t, r)
		case *kedav1alpha1.ScaledObject:
			checkScaledObject(b, o, t, kedaDir, r)
		}
	}
	checkScaling(b, r)
	checkSecretRefs(b, secrets, r)
	checkSubscribedOnce(b.Name, declaredSubs(b), r)
	checkRetryCoverage(b, r)
}

// checkComponentsUsed: a Kustomize Component is only ever rendered (and checked) through a
// kustomization that includes it.
func checkComponentsUsed(root string, kustomizations, components []string, r *Report) {
	used := map[string]bool{}
	for _, dir := range kustomizations {
		k, err := readKustomization(filepath.Join(dir, "kustomization.yaml"))
		if err != nil {
			continue
		}
		for _, c := range k.Components {
			used[filepath.Clean(filepath.Join(dir, c))] = true
		}
	}
	for _, c := range components {
		if !used[filepath.Clean(c)] {
			r.Errorf(rel(root, c), "no overlay includes this Kustomize Component, so nothing renders or checks it")
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
