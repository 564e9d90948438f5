// manifest-check validates the deployment manifests offline and strictly: it renders every
// kustomization under k8s/ with Kustomize, decodes every object into the API types of
// Kubernetes, Dapr and KEDA (an unknown, misspelled or duplicated field fails), checks what
// the types cannot (references, security context, Dapr annotations and component metadata,
// retry and dead-letter coverage), and cross-checks k8s/, dapr/, the Dockerfile and the
// services themselves (their --help defaults and what a running instance answers).
//
//	manifest-check [-root DIR] [-bin-dir DIR] [-skip-binaries]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	root := flag.String("root", ".", "the repository")
	binDir := flag.String("bin-dir", "", "the built service binaries (default: <root>/build/dev/bin)")
	skip := flag.Bool("skip-binaries", false, "check the manifests without the services' binaries")
	flag.Parse()

	abs, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "manifest-check:", err)
		os.Exit(2)
	}
	if *binDir == "" {
		*binDir = filepath.Join(abs, "build", "dev", "bin")
	}
	opts := Options{Root: abs, BinDir: *binDir}
	if *skip {
		opts.Services = noBinaries{}
		opts.BinDir = ""
	} else {
		opts.Services = newBinaryServices(abs, *binDir)
	}
	r := Check(opts)
	if n := r.Print(os.Stdout); n > 0 {
		fmt.Printf("manifest-check: %d error(s)\n", n)
		os.Exit(1)
	}
	fmt.Println("manifest-check: ok")
}

// noBinaries: every service counts as not available.
type noBinaries struct{}

func (noBinaries) Lookup(string) (*Service, error) { return nil, nil }
func (noBinaries) Probe(*Service, map[string]string, []string) (*Probe, error) {
	return nil, fmt.Errorf("no binaries")
}
