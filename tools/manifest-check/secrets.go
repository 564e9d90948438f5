package main

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The example Secrets file: the names and keys every secretKeyRef may use. It holds
// placeholders only.
const secretsExample = "k8s/secrets.example.yaml"
const placeholderPrefix = "REPLACE_WITH_"

// Secrets maps Secret name -> its keys.
type Secrets map[string]map[string]bool

func readSecrets(root string, r *Report) Secrets {
	secrets := Secrets{}
	for _, o := range decodeFile(root, root+"/"+secretsExample, r) {
		s, ok := o.Typed.(*corev1.Secret)
		if !ok {
			r.Errorf(o.Where(), "%s may hold Secrets only", secretsExample)
			continue
		}
		if len(s.Data) > 0 {
			r.Errorf(o.Where(), "use stringData with %s... placeholders, not data", placeholderPrefix)
		}
		keys := map[string]bool{}
		for k, v := range s.StringData {
			keys[k] = true
			if !strings.HasPrefix(strings.TrimSpace(v), placeholderPrefix) {
				r.Errorf(o.Where(), "key %s: the example holds placeholders only (%s...), never a real value", k, placeholderPrefix)
			}
		}
		secrets[s.Name] = keys
	}
	return secrets
}

func (s Secrets) check(where, name, key string, r *Report) {
	keys, ok := s[name]
	switch {
	case name == "" || key == "":
		r.Errorf(where, "secretKeyRef needs a name and a key")
	case !ok:
		r.Errorf(where, "Secret %q is not in %s", name, secretsExample)
	case !keys[key]:
		r.Errorf(where, "Secret %q has no key %q in %s", name, key, secretsExample)
	}
}

// checkSecretRefs checks every reference to a Secret in the bundle against the example.
func checkSecretRefs(b Bundle, secrets Secrets, r *Report) {
	for _, o := range b.Objects {
		for _, ref := range secretRefs(o) {
			secrets.check(o.Where()+" ("+ref.what+")", ref.name, ref.key, r)
		}
	}
}
