package main

import (
	"os"
	"path/filepath"
	"testing"
)

// localDapr writes a dapr/ tree shaped like the local one (Redis and Kafka variants of the
// pub/sub, a file secret store, an output binding of its own) and a Dapr CLI run file.
func localDapr(t *testing.T, root string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(root, "dapr")); err != nil {
		t.Fatal(err)
	}
	scopes := "scopes:\n  - notification\n  - reminder\n  - recurring\n"
	component := func(name, typ, metadata, scopes string) string {
		return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\nspec:\n  type: " + typ +
			"\n  version: v1\n  metadata:\n" + metadata + "auth:\n  secretStore: local-secrets\n" + scopes
	}
	redisMeta := "    - name: redisHost\n      value: localhost:6379\n    - name: redisPassword\n      secretKeyRef:\n        name: redis-password\n"
	write(t, root, "dapr/components/redis/pubsub.yaml", component("pubsub", "pubsub.redis", redisMeta, scopes))
	write(t, root, "dapr/components/kafka/pubsub.yaml", component("pubsub", "pubsub.kafka",
		"    - name: brokers\n      value: localhost:9092\n    - name: consumerGroup\n      value: \"{appID}\"\n    - name: authType\n      value: none\n", scopes))
	write(t, root, "dapr/components/statestore.yaml", component("statestore", "state.redis", redisMeta, scopes))
	write(t, root, "dapr/components/reminder-tick.yaml", component("reminder-tick", "bindings.cron",
		"    - name: schedule\n      value: \"@every 5s\"\n", "scopes:\n  - reminder\n"))
	write(t, root, "dapr/components/recurring-scheduler.yaml", component("recurring-scheduler", "bindings.cron",
		"    - name: schedule\n      value: \"@every 30s\"\n", "scopes:\n  - recurring\n"))
	write(t, root, "dapr/components/notification-webhook.yaml", component("notification-webhook", "bindings.http",
		"    - name: url\n      value: http://localhost:8090/notifications\n", "scopes:\n  - notification\n"))
	write(t, root, "dapr/components/secretstore.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: local-secrets\n"+
		"spec:\n  type: secretstores.local.file\n  version: v1\n  metadata:\n    - name: secretsFile\n      value: dapr/secrets/local.json\n"+scopes)
	write(t, root, "dapr/resiliency.yaml", `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: local
spec:
  policies:
    retries:
      again:
        policy: exponential
        maxInterval: 5s
        maxRetries: 5
  targets:
    components:
      pubsub:
        inbound:
          retry: again
      reminder-tick:
        inbound:
          retry: again
      recurring-scheduler:
        inbound:
          retry: again
`+scopes)
	copyTree(t, filepath.Join(root, "k8s/base/dapr/subscriptions"), filepath.Join(root, "dapr/subscriptions"))
	write(t, root, "dapr.yaml", `version: 1
apps:
  - appID: notification
    appPort: 8081
    command: ["build/dev/bin/tew-notification"]
  - appID: reminder
    appPort: 8082
    command: ["build/dev/bin/tew-reminder"]
  - appID: recurring
    appPort: 8083
    command: ["build/dev/bin/tew-recurring"]
`)
}

func TestLocalDaprResourcesThatAgreePass(t *testing.T) {
	root := fixture(t)
	localDapr(t, root)
	for _, e := range check(t, root).Errors {
		t.Error(e)
	}
}

var brokenLocalCases = []struct {
	name, file, old, new, want string
}{
	{"an input binding named differently", "dapr/components/reminder-tick.yaml", "name: reminder-tick", "name: reminder-ticks",
		`dapr/: no Component "reminder-tick", which k8s/base has (or a service names by default)`},
	{"scoped differently", "dapr/components/statestore.yaml", "  - recurring\n", "",
		`Component "statestore" is scoped to [notification reminder], but in k8s/base to [notification reminder recurring]`},
	{"another kind under the same name", "dapr/components/statestore.yaml", "type: state.redis", "type: pubsub.redis",
		`Component "statestore" is a pubsub.redis, but in k8s/base a state.redis`},
	{"a subscription that differs", "dapr/subscriptions/reminder.yaml", "deadLetterTopic: reminder-dead-letters", "deadLetterTopic: reminder-dlq",
		"subscription differs from k8s/base"},
	{"a secret without a secret store", "dapr/components/statestore.yaml", "  secretStore: local-secrets", "  secretStore: vault",
		`uses secretKeyRef, but auth.secretStore "vault" names no secret store component in dapr/`},
	{"misspelled metadata", "dapr/components/kafka/pubsub.yaml", "name: brokers", "name: broker",
		`pubsub.kafka does not read a field "broker"`},
	{"no retry for an input binding", "dapr/resiliency.yaml", "      reminder-tick:\n        inbound:\n          retry: again\n", "",
		`dapr/components/reminder-tick.yaml: Component reminder-tick: no Resiliency inbound retry policy for app reminder`},
	{"run file with a wrong port", "dapr.yaml", "appPort: 8082", "appPort: 8092",
		`app "reminder": appPort 8092, but tew-reminder listens on 8082`},
}

func TestBrokenLocalDaprResourcesFail(t *testing.T) {
	for _, c := range brokenLocalCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := fixture(t)
			localDapr(t, root)
			replace(t, root, c.file, c.old, c.new)
			if r := check(t, root); !anyContains(r.Errors, c.want) {
				t.Errorf("no error contains %q; errors:\n  %v", c.want, r.Errors)
			}
		})
	}
}
