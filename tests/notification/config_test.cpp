// The service's own variables: defaults, each read into its field, each invalid value an error
// naming its variable, and their section of docs/configuration.md.
#include "notification/config.hpp"

#include <doctest/doctest.h>

#include <map>

#include "config_doc.hpp"

namespace {

using namespace std::chrono_literals;
using tew::notification::Kind;
using Vars = std::map<std::string, std::string, std::less<>>;

struct Read {
  tew::Env env;
  tew::notification::NotificationConfig config;
};

Read read(Vars vars) {
  Read r{tew::Env([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
           const auto it = vars.find(name);
           if (it == vars.end()) return std::nullopt;
           return it->second;
         }),
         {}};
  r.config = tew::notification::read_config(r.env);
  return r;
}

}  // namespace

TEST_CASE("every notification variable has its default when the environment is empty") {
  const auto [env, c] = read({});
  CHECK(env.errors().empty());
  CHECK(c.topics.task_events == "task-events");
  CHECK(c.topics.reminders == "reminders");
  CHECK(c.topics.notifications == "notifications");
  CHECK(c.topics.dead_letter == "notification-dead-letters");
  CHECK(c.notify == std::vector<Kind>{Kind::task_created, Kind::task_updated, Kind::task_completed,
                                      Kind::task_deleted, Kind::reminder_due});
  CHECK(c.channels == std::vector<std::string>{"log"});
  CHECK(c.webhook.url.empty());
  CHECK(c.webhook.timeout == 5000ms);
  CHECK(c.webhook.pool_threads == 4);
  CHECK(c.binding.name.empty());
  CHECK(c.binding.operation == "create");
  CHECK(c.binding.email.empty());
}

TEST_CASE("every notification variable is read into its field") {
  const auto [env, c] = read({{"TASK_EVENTS_TOPIC", "tasks"},
                              {"REMINDERS_TOPIC", "due"},
                              {"NOTIFICATIONS_TOPIC", "sent"},
                              {"DEAD_LETTER_TOPIC", "dead"},
                              {"NOTIFY_EVENT_TYPES", " reminder.due , TASK.completed,reminder.due"},
                              {"NOTIFY_CHANNELS", "binding, Webhook,log"},
                              {"WEBHOOK_URL", "https://hooks.example.com/n?token=abc"},
                              {"WEBHOOK_TIMEOUT_MS", "750"},
                              {"WEBHOOK_POOL_THREADS", "2"},
                              {"NOTIFY_BINDING", "smtp"},
                              {"NOTIFY_BINDING_OPERATION", "send"},
                              {"NOTIFY_EMAIL_TO", "user@example.com"},
                              {"NOTIFY_EMAIL_FROM", "todo@example.com"},
                              {"NOTIFY_EMAIL_CC", "cc@example.com"},
                              {"NOTIFY_EMAIL_BCC", "bcc@example.com"}});
  CHECK(env.errors().empty());
  CHECK(c.topics.task_events == "tasks");
  CHECK(c.topics.reminders == "due");
  CHECK(c.topics.notifications == "sent");
  CHECK(c.topics.dead_letter == "dead");
  CHECK(c.notify == std::vector<Kind>{Kind::reminder_due, Kind::task_completed});
  CHECK(c.notifies(Kind::reminder_due));
  CHECK_FALSE(c.notifies(Kind::task_created));
  CHECK(c.channels == std::vector<std::string>{"binding", "webhook", "log"});
  CHECK(c.webhook.url == "https://hooks.example.com/n?token=abc");
  CHECK(c.webhook.timeout == 750ms);
  CHECK(c.webhook.pool_threads == 2);
  CHECK(c.binding.name == "smtp");
  CHECK(c.binding.operation == "send");
  CHECK(c.binding.email == std::map<std::string, std::string>{{"emailTo", "user@example.com"},
                                                              {"emailFrom", "todo@example.com"},
                                                              {"emailCC", "cc@example.com"},
                                                              {"emailBCC", "bcc@example.com"}});
}

TEST_CASE("each invalid notification value is an error naming its variable") {
  const std::vector<Vars> cases = {
      {{"NOTIFY_EVENT_TYPES", "task.created,task.exploded"}},
      {{"NOTIFY_EVENT_TYPES", "recurring.trigger"}},
      {{"NOTIFY_EVENT_TYPES", " , "}},
      {{"NOTIFY_CHANNELS", "log,sms"}},
      {{"NOTIFY_CHANNELS", ","}},
      {{"NOTIFY_CHANNELS", "webhook"}},
      {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", "ftp://files.example.com"}},
      {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", "http://"}},
      {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", "https:///path"}},
      {{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", "http://host name/"}},
      {{"WEBHOOK_TIMEOUT_MS", "9"}},
      {{"WEBHOOK_TIMEOUT_MS", "600001"}},
      {{"WEBHOOK_POOL_THREADS", "0"}},
      {{"NOTIFY_CHANNELS", "binding"}},
      {{"REMINDERS_TOPIC", "task-events"}},
  };
  for (const auto& vars : cases) {
    const auto& [name, value] = *std::prev(vars.end());
    const std::string expected = name == "NOTIFY_CHANNELS" && value == "webhook" ? "WEBHOOK_URL"
                                 : name == "NOTIFY_CHANNELS" && value == "binding"
                                     ? "NOTIFY_BINDING"
                                     : name;
    CAPTURE(name);
    CAPTURE(value);
    const auto r = read(vars);
    REQUIRE(r.env.errors().size() == 1);
    CHECK(r.env.errors()[0].subject == expected);
    CHECK(r.env.errors()[0].message.find("must") != std::string::npos);
  }
}

TEST_CASE("an unknown event type is named in the error, and the allowed ones listed") {
  const auto r = read({{"NOTIFY_EVENT_TYPES", "task.exploded"}});
  REQUIRE(r.env.errors().size() == 1);
  CHECK(r.env.errors()[0].describe() ==
        "NOTIFY_EVENT_TYPES: must list only task.created,task.updated,task.completed,"
        "task.deleted,reminder.due, got \"task.exploded\"");
}

TEST_CASE("WEBHOOK_URL is a secret: never echoed in errors or documentation") {
  const std::string url = "ftp://user:s3cr3t@hooks.example.com";
  const auto r = read({{"NOTIFY_CHANNELS", "webhook"}, {"WEBHOOK_URL", url}});
  REQUIRE(r.env.errors().size() == 1);
  CHECK(r.env.errors()[0].describe().find("s3cr3t") == std::string::npos);
  for (const auto& v : r.env.documented())
    if (v.name == "WEBHOOK_URL") CHECK(v.secret);
}

TEST_CASE("webhook and binding settings are not required when their channel is off") {
  CHECK(read({{"NOTIFY_CHANNELS", "log"}, {"WEBHOOK_URL", "nonsense"}}).env.errors().empty());
}

TEST_CASE("docs/configuration.md lists exactly the notification variables") {
  const auto r = read({});
  tew::testing::check_generated_docs("notification variables",
                                     tew::testing::variables_table(r.env.documented()));
}
