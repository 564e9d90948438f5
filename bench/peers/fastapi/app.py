"""The FastAPI peer of scripts/bench: a subscriber written with the Dapr Python SDK's FastAPI
extension (dapr-ext-fastapi), the task backend's stack, doing the work our services do before
their handlers (parse the CloudEvent, in-memory dedup by source + id) and answering SUCCESS.

    uvicorn app:app --host 127.0.0.1 --port <port>
"""
from dapr.ext.fastapi import DaprApp
from fastapi import Body, FastAPI

app = FastAPI()
dapr_app = DaprApp(app)
seen = set()


@dapr_app.subscribe(pubsub="taskpubsub", topic="task-events", route="/events/task-events")
def task_events(event: dict = Body(...)):
    seen.add((event.get("source"), event.get("id")))
    return {"status": "SUCCESS"}
