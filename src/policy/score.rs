//! Payment-behaviour score. TODO(helper): implement.
