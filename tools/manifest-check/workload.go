package main

import (
	"fmt"
	"regexp"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Names of variables that carry secrets: they must come from a Secret, never a literal.
var secretName = regexp.MustCompile(`(TOKEN|PASSWORD|SECRET|_KEY)$`)

func checkNamespaces(b Bundle, r *Report) {
	_, namespaces := all[*corev1.Namespace](b)
	want := ""
	if len(namespaces) == 1 {
		want = namespaces[0].Name
	}
	for _, o := range b.Objects {
		if o.Kind == "Namespace" {
			continue
		}
		switch {
		case o.Namespace == "":
			r.Errorf(o.Where(), "no namespace (it would land in the default namespace)")
		case want == "":
			want = o.Namespace
		case o.Namespace != want:
			r.Errorf(o.Where(), "namespace %q, but the bundle's is %q", o.Namespace, want)
		}
	}
}

func checkDeployment(b Bundle, o Object, d *appsv1.Deployment, r *Report) {
	w := o.Where()
	pod := d.Spec.Template.Spec
	if d.Spec.Selector == nil {
		r.Errorf(w, "no selector")
	} else if s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil || s.Empty() ||
		!s.Matches(labels.Set(d.Spec.Template.Labels)) {
		r.Errorf(w, "spec.selector does not select the pod template's labels")
	}
	psc := pod.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if len(pod.Containers) == 0 {
		r.Errorf(w, "no containers")
	}
	for _, c := range pod.Containers {
		cw := fmt.Sprintf("%s container %s", w, c.Name)
		checkImage(cw, c.Image, r)
		checkResources(cw, c.Resources, r)
		checkProbe(cw, "livenessProbe", c, c.LivenessProbe, r)
		checkProbe(cw, "readinessProbe", c, c.ReadinessProbe, r)
		checkContainerSecurity(cw, psc, c.SecurityContext, r)
		checkEnv(cw, c.Env, r)
	}
	checkDaprAnnotations(b, o, d, r)
}

func checkImage(w, image string, r *Report) {
	name := image[strings.LastIndex(image, "/")+1:]
	tag := ""
	if i := strings.LastIndex(name, ":"); i >= 0 {
		tag = name[i+1:]
	}
	if tag == "" && !strings.Contains(image, "@sha256:") {
		r.Errorf(w, "image %q has no tag: pin a version", image)
	} else if tag == "latest" {
		r.Errorf(w, "image %q: pin a version, not latest", image)
	}
}

func checkResources(w string, res corev1.ResourceRequirements, r *Report) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := res.Requests[name]; !ok {
			r.Errorf(w, "no %s request", name)
		}
	}
	limit, ok := res.Limits[corev1.ResourceMemory]
	if !ok {
		r.Errorf(w, "no memory limit")
	} else if req, ok := res.Requests[corev1.ResourceMemory]; ok && req.Cmp(limit) > 0 {
		r.Errorf(w, "memory request %s exceeds its limit %s", req.String(), limit.String())
	}
}

func checkProbe(w, which string, c corev1.Container, p *corev1.Probe, r *Report) {
	if p == nil {
		r.Errorf(w, "no %s", which)
		return
	}
	if p.HTTPGet == nil {
		r.Errorf(w, "%s is not an httpGet probe", which)
		return
	}
	if !strings.HasPrefix(p.HTTPGet.Path, "/") {
		r.Errorf(w, "%s path %q does not start with /", which, p.HTTPGet.Path)
	}
	if _, ok := containerPort(c, portName(p.HTTPGet.Port), p.HTTPGet.Port.IntVal); !ok {
		r.Errorf(w, "%s port %s is not a port of the container", which, p.HTTPGet.Port.String())
	}
}

func portName(p intstr.IntOrString) string {
	if p.Type == intstr.String {
		return p.StrVal
	}
	return ""
}

func checkContainerSecurity(w string, pod *corev1.PodSecurityContext, c *corev1.SecurityContext, r *Report) {
	if c == nil {
		c = &corev1.SecurityContext{}
	}
	nonRoot := c.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = pod.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		r.Errorf(w, "runAsNonRoot is not true")
	}
	uid := c.RunAsUser
	if uid == nil {
		uid = pod.RunAsUser
	}
	if uid == nil || *uid == 0 {
		r.Errorf(w, "no non-zero runAsUser (the kubelet can only verify runAsNonRoot for a numeric user)")
	}
	if c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		r.Errorf(w, "allowPrivilegeEscalation is not false")
	}
	if c.Privileged != nil && *c.Privileged {
		r.Errorf(w, "privileged")
	}
	if c.ReadOnlyRootFilesystem == nil || !*c.ReadOnlyRootFilesystem {
		r.Errorf(w, "readOnlyRootFilesystem is not true")
	}
	dropsAll := false
	if c.Capabilities != nil {
		for _, cap := range c.Capabilities.Drop {
			dropsAll = dropsAll || cap == "ALL"
		}
		if len(c.Capabilities.Add) > 0 {
			r.Errorf(w, "adds capabilities %v", c.Capabilities.Add)
		}
	}
	if !dropsAll {
		r.Errorf(w, "does not drop ALL capabilities")
	}
	seccomp := c.SeccompProfile
	if seccomp == nil {
		seccomp = pod.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		r.Errorf(w, "seccompProfile is not RuntimeDefault")
	}
}

func checkEnv(w string, env []corev1.EnvVar, r *Report) {
	seen := map[string]bool{}
	for _, e := range env {
		if seen[e.Name] {
			r.Errorf(w, "env %s is set twice", e.Name)
		}
		seen[e.Name] = true
		if secretName.MatchString(e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
			r.Errorf(w, "env %s carries a secret: take it from a Secret (valueFrom.secretKeyRef), not a literal", e.Name)
		}
	}
}

func checkService(b Bundle, o Object, s *corev1.Service, r *Report) {
	targets := selecting(b, &metav1.LabelSelector{MatchLabels: s.Spec.Selector})
	if len(targets) != 1 {
		r.Errorf(o.Where(), "selector %v matches %d Deployments, want 1", s.Spec.Selector, len(targets))
		return
	}
	for _, p := range s.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		found := false
		for _, c := range targets[0].Spec.Template.Spec.Containers {
			_, ok := containerPort(c, portName(target), target.IntVal)
			found = found || ok
		}
		if !found {
			r.Errorf(o.Where(), "port %s: targetPort %s is not a container port of Deployment %s",
				p.Name, target.String(), targets[0].Name)
		}
	}
}

// checkScaling: every Deployment has a PodDisruptionBudget and exactly one autoscaler (an HPA
// or a KEDA ScaledObject, which creates its own HPA), and they agree.
func checkScaling(b Bundle, r *Report) {
	objs, deployments := all[*appsv1.Deployment](b)
	pdbObjs, pdbs := all[*policyv1.PodDisruptionBudget](b)
	hpaObjs, hpas := all[*autoscalingv2.HorizontalPodAutoscaler](b)
	soObjs, scaledObjects := all[*kedav1alpha1.ScaledObject](b)

	pdbOf := map[string]*policyv1.PodDisruptionBudget{}
	for i, p := range pdbs {
		targets := selecting(b, p.Spec.Selector)
		if len(targets) != 1 {
			r.Errorf(pdbObjs[i].Where(), "selector matches %d Deployments, want 1", len(targets))
			continue
		}
		if p.Spec.MinAvailable == nil && p.Spec.MaxUnavailable == nil {
			r.Errorf(pdbObjs[i].Where(), "neither minAvailable nor maxUnavailable")
		}
		pdbOf[targets[0].Name] = p
	}
	type bounds struct {
		where    string
		min, max int32
	}
	scalers := map[string][]bounds{}
	for i, h := range hpas {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" {
			r.Errorf(hpaObjs[i].Where(), "scaleTargetRef is %s %s, want apps/v1 Deployment", ref.APIVersion, ref.Kind)
			continue
		}
		if len(h.Spec.Metrics) == 0 {
			r.Errorf(hpaObjs[i].Where(), "no metrics")
		}
		min := int32(1)
		if h.Spec.MinReplicas != nil {
			min = *h.Spec.MinReplicas
		}
		scalers[ref.Name] = append(scalers[ref.Name], bounds{hpaObjs[i].Where(), min, h.Spec.MaxReplicas})
	}
	for i, s := range scaledObjects {
		ref := s.Spec.ScaleTargetRef
		if ref == nil || (ref.Kind != "" && ref.Kind != "Deployment") {
			r.Errorf(soObjs[i].Where(), "scaleTargetRef must name a Deployment")
			continue
		}
		min, max := int32(0), int32(100) // KEDA's defaults
		if s.Spec.MinReplicaCount != nil {
			min = *s.Spec.MinReplicaCount
		}
		if s.Spec.MaxReplicaCount != nil {
			max = *s.Spec.MaxReplicaCount
		}
		scalers[ref.Name] = append(scalers[ref.Name], bounds{soObjs[i].Where(), min, max})
	}
	known := map[string]bool{}
	for i, d := range deployments {
		w := objs[i].Where()
		known[d.Name] = true
		pdb := pdbOf[d.Name]
		if pdb == nil {
			r.Errorf(w, "no PodDisruptionBudget selects it")
		}
		s := scalers[d.Name]
		if len(s) != 1 {
			r.Errorf(w, "%d autoscalers target it, want 1 (an HPA or a KEDA ScaledObject)", len(s))
			continue
		}
		if d.Spec.Replicas != nil {
			r.Errorf(w, "spec.replicas is set, but %s owns the count (every apply would reset it)", s[0].where)
		}
		if s[0].min < 1 || s[0].min > s[0].max {
			r.Errorf(s[0].where, "replica bounds %d..%d are not 1 <= min <= max", s[0].min, s[0].max)
		}
		if pdb != nil && pdb.Spec.MinAvailable != nil {
			if v, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(s[0].min), true); err != nil {
				r.Errorf(w, "PodDisruptionBudget minAvailable: %v", err)
			} else if int32(v) >= s[0].min {
				r.Errorf(w, "PodDisruptionBudget minAvailable %s with at least %d replicas blocks every node drain",
					pdb.Spec.MinAvailable.String(), s[0].min)
			}
		}
	}
	for name, s := range scalers {
		if !known[name] {
			r.Errorf(s[0].where, "scales Deployment %s, which the bundle does not have", name)
		}
	}
}
