// The Node SDK peer of scripts/bench: a subscriber written with @dapr/dapr's DaprServer doing the
// work our services do before their handlers (the SDK parses the CloudEvent, then an in-memory
// dedup by source + id) and answering SUCCESS.
//   node server.js <port>
const http = require("http");
const express = require("express"); // the SDK's own HTTP server (a dependency of @dapr/dapr)
const { DaprServer, CommunicationProtocolEnum, DaprPubSubStatusEnum } = require("@dapr/dapr");

async function main() {
  const port = process.argv[2];
  // The SDK listens with app.listen(port), on every interface; a benchmark stays on loopback.
  const app = express();
  app.listen = (p) => http.createServer(app).listen(p, "127.0.0.1");
  const server = new DaprServer({
    serverHost: "127.0.0.1",
    serverPort: port,
    serverHttp: app,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
  });
  // The SDK hands a subscription callback only the event's data, so the id is remembered here,
  // after the SDK's body parser and before its route.
  const seen = new Set();
  app.use((req, res, next) => {
    if (req.body && typeof req.body === "object") seen.add(`${req.body.source}\u0000${req.body.id}`);
    next();
  });
  await server.pubsub.subscribeWithOptions("taskpubsub", "task-events", {
    // The SDK serves a path of its own making, announced in GET /dapr/subscribe. A route with a
    // '/' in it is announced as given but served with the '/' removed (@dapr/dapr 3.4.1), so
    // daprd's deliveries would find no handler: this one has none.
    route: "task-events",
    callback: async () => DaprPubSubStatusEnum.SUCCESS,
  });
  // The HTTP server alone: DaprServer.start() would also wait for a sidecar, which a subscriber
  // that never calls daprd does not need.
  await server.daprServer.start("127.0.0.1", port);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
