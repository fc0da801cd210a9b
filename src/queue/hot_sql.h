// SQL of the engine's hot statements, exposed so tests can EXPLAIN them and
// check that they search an index instead of scanning.
#pragma once

namespace sluice::queue {

// ReceiveMessage's candidate query: ?1 queue id, ?2 now, ?3/?4 the
// (visible_at, id) cursor after which to continue, ?5 the row limit.
extern const char kSelectDeliverable[];
// The earliest visible_at after ?2 among queue ?1's messages.
extern const char kNextVisibleAt[];
// The retention sweep of one queue: ?1 queue id, ?2 sent_at bound, ?3 limit.
extern const char kSelectExpired[];

}  // namespace sluice::queue
