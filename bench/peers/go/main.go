// The Go SDK peer of scripts/bench: a subscriber written with github.com/dapr/go-sdk/service/http
// doing the work our services do before their handlers (the SDK parses the CloudEvent, then an
// in-memory dedup by source + id) and answering SUCCESS.
//
//	go-peer <port>
package main

import (
	"context"
	"log"
	"os"
	"sync"

	"github.com/dapr/go-sdk/service/common"
	daprd "github.com/dapr/go-sdk/service/http"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go-peer <port>")
	}
	var mu sync.Mutex
	seen := map[string]struct{}{}
	s := daprd.NewService("127.0.0.1:" + os.Args[1])
	sub := &common.Subscription{PubsubName: "taskpubsub", Topic: "task-events", Route: "/events/task-events"}
	err := s.AddTopicEventHandler(sub, func(_ context.Context, e *common.TopicEvent) (bool, error) {
		key := e.Source + "\x00" + e.ID
		mu.Lock()
		seen[key] = struct{}{}
		mu.Unlock()
		return false, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Start(); err != nil {
		log.Fatal(err)
	}
}
