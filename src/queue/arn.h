// Queue ARNs: arn:aws:sqs:<region>:<account>:<name>. Only ARNs of this
// engine's region and account name queues here; any other ARN names nothing.
//
// Threads: any (immutable after construction).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::queue {

class QueueArns {
 public:
  QueueArns(std::string_view region, std::string_view account_id)
      : prefix_("arn:aws:sqs:" + std::string(region) + ":" + std::string(account_id) + ":") {}

  std::string Of(std::string_view queue_name) const { return prefix_ + std::string(queue_name); }

  // The queue name in `arn`, or nullopt when `arn` is not one of ours.
  std::optional<std::string> NameOf(std::string_view arn) const {
    if (arn.size() <= prefix_.size() || arn.substr(0, prefix_.size()) != prefix_) {
      return std::nullopt;
    }
    return std::string(arn.substr(prefix_.size()));
  }

  // Whether `arn` has the shape arn:<partition>:<service>:<region>:<account>:<resource>.
  static bool LooksLikeArn(std::string_view arn) {
    if (arn.substr(0, 4) != "arn:") return false;
    int colons = 0;
    for (char c : arn) colons += c == ':';
    return colons >= 5 && arn.back() != ':';
  }

 private:
  std::string prefix_;
};

}  // namespace sluice::queue
