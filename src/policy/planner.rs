//! The planner. TODO(helper): implement.
