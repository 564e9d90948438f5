package main

import (
	"strings"
	"testing"
)

const (
	notificationApp = "k8s/base/apps/notification.yaml"
	reminderApp     = "k8s/base/apps/reminder.yaml"
	recurringApp    = "k8s/base/apps/recurring.yaml"
	kafka           = "k8s/base/dapr/components/pubsub-kafka.yaml"
	redis           = "k8s/base/dapr/components/statestore-redis.yaml"
	resiliency      = "k8s/base/dapr/resiliency.yaml"
	notificationSub = "k8s/base/dapr/subscriptions/notification.yaml"
	scaledObjects   = "k8s/optional/keda/scaledobjects.yaml"
)

func TestTheRepositoryPasses(t *testing.T) {
	r := check(t, fixture(t))
	for _, e := range r.Errors {
		t.Error(e)
	}
}

// Each case breaks one thing the way a person editing the manifests might, and names the
// error the check must give.
var brokenCases = []struct {
	name, file, old, new, want string
}{
	// Strict decoding into the API types.
	{"misspelled field", reminderApp, "readinessProbe:", "readinessProbes:",
		`unknown field "spec.template.spec.containers[0].readinessProbes"`},
	{"field in the wrong case", recurringApp, "containerPort: 8083", "ContainerPort: 8083",
		`unknown field "spec.template.spec.containers[0].ports[0].ContainerPort"`},
	{"duplicate key", notificationApp, "      targetPort: http\n", "      targetPort: http\n      targetPort: http\n",
		`key "targetPort" already set in map`},
	{"misspelled Dapr CRD field", notificationSub, "deadLetterTopic: notification-dead-letters\nscopes:\n  - notification\n---",
		"deadLettertopic: notification-dead-letters\nscopes:\n  - notification\n---", `unknown field "spec.deadLettertopic"`},
	{"misspelled KEDA field", scaledObjects, "pollingInterval: 15", "pollInterval: 15", `unknown field "spec.pollInterval"`},
	{"unknown kind", notificationSub, "apiVersion: dapr.io/v2alpha1", "apiVersion: dapr.io/v3", `unknown apiVersion/kind "dapr.io/v3"/"Subscription"`},
	{"misspelled kustomization field", "k8s/base/kustomization.yaml", "resources:", "resource:", `unknown field "resource"`},

	// Ports and app ids against the services.
	{"wrong app port annotation", notificationApp, `dapr.io/app-port: "8081"`, `dapr.io/app-port: "8089"`,
		`annotation dapr.io/app-port "8089", but tew-notification listens on 8081 (APP_PORT)`},
	{"wrong container port", reminderApp, "containerPort: 8082", "containerPort: 8092",
		`container reminder does not declare port 8082, where tew-reminder listens (APP_PORT)`},
	{"Service to a port the pod lacks", recurringApp, "      targetPort: http", "      targetPort: web",
		`targetPort web is not a container port of Deployment recurring`},
	{"wrong app id", reminderApp, "dapr.io/app-id: reminder", "dapr.io/app-id: reminders",
		`annotation dapr.io/app-id "reminders", but tew-reminder runs as app id "reminder" (APP_ID)`},
	{"app listening on loopback", notificationApp, "              value: 0.0.0.0\n", "              value: 127.0.0.1\n",
		`APP_HOST is "127.0.0.1"`},
	{"misspelled variable", recurringApp, "name: DAPR_SUBSCRIBE", "name: DAPR_SUBSCRIPTIONS",
		`env DAPR_SUBSCRIPTIONS is not a variable tew-recurring reads`},

	// Dapr annotations.
	{"misspelled annotation", notificationApp, "dapr.io/app-protocol:", "dapr.io/app-protocoll:",
		`annotation dapr.io/app-protocoll is not one Dapr's sidecar injector reads`},
	{"annotation of the wrong type", reminderApp, `dapr.io/enable-app-health-check: "true"`, `dapr.io/enable-app-health-check: "yes"`,
		`annotation dapr.io/enable-app-health-check: "yes": not true or false`},
	{"unknown protocol", reminderApp, "dapr.io/app-protocol: http", "dapr.io/app-protocol: http2",
		`not one of http, https, h2c, grpc, grpcs`},
	{"health check path the app does not serve", recurringApp, "dapr.io/app-health-check-path: /healthz", "dapr.io/app-health-check-path: /health",
		`tew-recurring answers GET /health with 404, want 200`},
	{"readiness path the app does not serve", notificationApp, "path: /readyz", "path: /ready",
		`tew-notification answers readiness probe GET /ready with 404`},
	{"token Secret of daprd and app differ", reminderApp, "name: tew-dapr-api-token\n                  key: token", "name: tew-app-api-token\n                  key: token",
		`container reminder reads DAPR_API_TOKEN from Secret tew-app-api-token key token, but daprd uses Secret tew-dapr-api-token`},
	{"body limit above the app's", notificationApp, "dapr.io/max-body-size: 1Mi", "dapr.io/max-body-size: 2Mi",
		`dapr.io/max-body-size 2Mi (2097152 bytes) exceeds the app's MAX_BODY_BYTES 1048576`},
	{"sidecar stops before the app drains", reminderApp, `dapr.io/graceful-shutdown-seconds: "15"`, `dapr.io/graceful-shutdown-seconds: "5"`,
		`dapr.io/graceful-shutdown-seconds 5 s ends before the app's SHUTDOWN_GRACE_MS 10000 ms`},
	{"missing Configuration", recurringApp, "dapr.io/config: tew", "dapr.io/config: tew2",
		`annotation dapr.io/config names Configuration "tew2", which the bundle does not have`},

	// Pod security and resources.
	{"writable root file system", reminderApp, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
		`readOnlyRootFilesystem is not true`},
	{"root user", notificationApp, "runAsUser: 10001", "runAsUser: 0",
		`no non-zero runAsUser`},
	{"capabilities kept", recurringApp, `drop: ["ALL"]`, `drop: ["NET_RAW"]`, `does not drop ALL capabilities`},
	{"no memory limit", reminderApp, "            limits:\n              memory: 128Mi\n", "",
		`no memory limit`},
	{"replicas fight the autoscaler", notificationApp, "  revisionHistoryLimit: 5", "  replicas: 3\n  revisionHistoryLimit: 5",
		`spec.replicas is set`},
	{"disruption budget blocks drains", recurringApp, "minReplicas: 2", "minReplicas: 1",
		`PodDisruptionBudget minAvailable 1 with at least 1 replicas blocks every node drain`},
	{"secret in a literal", reminderApp, "            - name: APP_API_TOKEN\n              valueFrom:\n                secretKeyRef:\n                  name: tew-app-api-token\n                  key: token",
		"            - name: APP_API_TOKEN\n              value: hunter2", `env APP_API_TOKEN carries a secret`},
	{"unpinned image", "k8s/base/kustomization.yaml", "newTag: 0.1.0", "newTag: latest", `pin a version, not latest`},
	{"image of another version", "k8s/base/kustomization.yaml", "newTag: 0.1.0", "newTag: 0.0.9",
		`image "task-event-workers:0.0.9": the base deploys the project version 0.1.0 (CMakeLists.txt)`},

	// Components.
	{"misspelled component metadata", kafka, "name: saslPassword", "name: saslPasword",
		`pubsub.kafka does not read a field "saslPasword" (according to its metadata.yaml)`},
	{"inline secret in a component", redis, "      secretKeyRef:\n        name: tew-redis\n        key: password", "      value: hunter2",
		`metadata redisPassword: is a secret`},
	{"value outside the allowed set", kafka, "value: SHA-512", "value: SHA-1024", `"SHA-1024" is not one of`},
	{"Secret key not documented", kafka, "key: ca.crt", "key: ca.pem", `Secret "tew-kafka" has no key "ca.pem" in k8s/secrets.example.yaml`},
	{"invalid cron schedule", "k8s/base/dapr/components/reminder-tick.yaml", `"@every 15s"`, `"@every 15 seconds"`, `schedule "@every 15 seconds"`},
	{"unknown component type", redis, "type: state.redis", "type: state.rediss", `no component type "state.rediss"`},
	{"component nobody names", "k8s/base/dapr/components/notification-email.yaml", "scopes:\n  - notification", "scopes:\n  - notification\n  - reminder",
		`scoped to app reminder, but no variable of tew-reminder names it`},
	{"binding the app is not told about", notificationApp, "value: notification-email", "value: notification-mail",
		`tew-notification NOTIFY_BINDING="notification-mail", but the bundle has no Component "notification-mail"`},
	{"unscoped component", redis, "scopes:\n  - notification\n  - reminder\n  - recurring\n", "",
		`no scopes: it would apply to every app in the namespace`},

	// Subscriptions against what the apps subscribe to themselves.
	{"wrong route", notificationSub, "default: /events/task-events", "default: /events/tasks",
		"Subscription differs from what tew-notification subscribes to by itself"},
	{"wrong topic", notificationSub, "topic: reminders", "topic: reminder",
		"no Subscription for notification pubsub/reminders"},
	{"wrong dead-letter topic", "k8s/base/dapr/subscriptions/recurring.yaml", "deadLetterTopic: recurring-dead-letters", "deadLetterTopic: recurring-dlq",
		`deadLetterTopic "recurring-dlq"`},
	{"no dead-letter topic", "k8s/base/dapr/subscriptions/reminder.yaml", "  deadLetterTopic: reminder-dead-letters\n", "",
		`no deadLetterTopic: a dropped or exhausted message would be lost`},
	{"unknown pub/sub", notificationSub, "pubsubname: pubsub", "pubsubname: pubsub-kafka",
		`pubsubname "pubsub-kafka" names no Component of the bundle`},
	{"subscribed twice", recurringApp, "            - name: DAPR_SUBSCRIBE\n              value: declarative\n", "",
		`every topic would be subscribed twice (set DAPR_SUBSCRIBE=declarative)`},

	// Resiliency.
	{"no inbound retry", resiliency, "          retry: redelivery\n", "",
		`no Resiliency inbound retry policy for pub/sub "pubsub" and app notification`},
	{"undefined policy", resiliency, "circuitBreaker: app-failing", "circuitBreaker: app-failng",
		`circuitBreaker policy "app-failng" is not defined`},
	{"trip expression on a misspelled counter", resiliency, "consecutiveFailures >= 5", "consecutivefailures >= 5",
		`trip "consecutivefailures >= 5" does not evaluate to a bool`},
	{"outbound timeout longer than the app waits", resiliency, "component: 4s", "component: 6s",
		`outbound timeout of pubsub for app notification is 6s, not below the app's SIDECAR_TIMEOUT_MS 5000 ms`},
	{"inbound timeout longer than the claim", resiliency, "handling: 20s", "handling: 45s",
		`inbound timeout of pubsub for app reminder is 45s, not below the app's DEDUP_LEASE_SECONDS 30 s`},
	{"retry field Dapr's type lacks", resiliency, "        maxInterval: 60s\n", "        maxInterval: 60s\n        initialInterval: 1s\n",
		`unknown field "spec.policies.retries.redelivery.initialInterval"`},

	// KEDA.
	{"misspelled trigger metadata", scaledObjects, "lagThreshold:", "lagTreshold:", `metadata "lagTreshold" is not read by KEDA's kafka scaler`},
	{"lag of the wrong consumer group", scaledObjects, "consumerGroup: reminder", "consumerGroup: reminders",
		`kafka trigger consumerGroup "reminders", but daprd consumes "task-events" as group "reminder"`},
	{"lag of a topic the app does not consume", scaledObjects, "consumerGroup: recurring\n        topic: task-events", "consumerGroup: recurring\n        topic: reminders",
		`kafka trigger on topic "reminders", which app recurring does not consume`},
	{"two autoscalers", "k8s/optional/keda/kustomization.yaml", "      kind: HorizontalPodAutoscaler\n    patch:", "      kind: HorizontalPodAutoscaler\n      name: none\n    patch:",
		`2 autoscalers target it, want 1`},
	{"objects outside the namespace", "k8s/overlays/keda/kustomization.yaml", "namespace: task-event-workers\n", "",
		`no namespace (it would land in the default namespace)`},

	// Secrets.
	{"a real value in the example", "k8s/secrets.example.yaml", "password: REPLACE_WITH_THE_REDIS_PASSWORD", "password: s3cr3t",
		`key password: the example holds placeholders only`},

	// The Dockerfile.
	{"library missing from the build stage", "Dockerfile", "libfmt-dev ", "", `the build stage does not install libfmt-dev`},
	{"root image user", "Dockerfile", "USER 10001:10001", "USER root", `runtime stage USER "root": not a numeric non-root user`},
	{"image user differs from the pods'", "Dockerfile", "USER 10001:10001", "USER 10002:10002", `runAsUser/runAsGroup differ from the image's USER 10002:10002`},
	{"binary missing from the image", "Dockerfile", " /src/build/release/bin/tew-recurring /usr/local/bin/", " /usr/local/bin/",
		`the runtime stage does not copy tew-recurring from the build stage`},
	{"runtime image from the wrong release", "Dockerfile", "FROM debian:bookworm-slim", "FROM debian:bullseye-slim", `want debian:bookworm-slim`},
	{"binary run from elsewhere", recurringApp, `command: ["/usr/local/bin/tew-recurring"]`, `command: ["/usr/bin/tew-recurring"]`,
		`container recurring runs /usr/bin/tew-recurring, but the image has it at "/usr/local/bin/tew-recurring"`},
}

func TestBrokenManifestsFail(t *testing.T) {
	for _, c := range brokenCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := fixture(t)
			replace(t, root, c.file, c.old, c.new)
			r := check(t, root)
			if !anyContains(r.Errors, c.want) {
				t.Errorf("no error contains %q; errors:\n  %s", c.want, strings.Join(r.Errors, "\n  "))
			}
		})
	}
}

func anyContains(errors []string, want string) bool {
	for _, e := range errors {
		if strings.Contains(e, want) {
			return true
		}
	}
	return false
}

func TestAFileNoKustomizationUsesFails(t *testing.T) {
	root := fixture(t)
	write(t, root, "k8s/base/dapr/components/forgotten.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\n")
	r := check(t, root)
	if !anyContains(r.Errors, "k8s/base/dapr/components/forgotten.yaml: no kustomization uses this file") {
		t.Errorf("errors: %v", r.Errors)
	}
}

func TestAServiceWithoutADeploymentFails(t *testing.T) {
	root := fixture(t)
	replace(t, root, "services/CMakeLists.txt", "foreach(service notification", "foreach(service archiver notification")
	r := check(t, root)
	if !anyContains(r.Errors, "0 Deployments run tew-archiver (container command), want 1") ||
		!anyContains(r.Errors, "the runtime stage does not copy tew-archiver") {
		t.Errorf("errors: %v", r.Errors)
	}
}

func TestSetupPackagesAreReadWithoutComments(t *testing.T) {
	root := t.TempDir()
	write(t, root, "scripts/setup", "#!/bin/sh\npackages=(\n  cmake libfmt-dev  # for fmt\n  unzip\n)\n")
	pkgs, err := setupPackages(root)
	if err != nil || strings.Join(pkgs, " ") != "cmake libfmt-dev unzip" {
		t.Errorf("packages %v, %v", pkgs, err)
	}
}
