// SPDX-License-Identifier: GPL-2.0

//! Safe types over the C resources the glue uses, one type per resource,
//! each with its `unsafe` inside and its invariant stated once.
//!
//! They stand in for what the kernel crate of Linux 6.12 lacks and later
//! kernels have (`kernel::iov::IovIterDest`, `kernel::sync::SetOnce`,
//! `pin_init::zeroed()` for operation tables, `kernel::mm::virt::VmaNew`),
//! with the same shape where there is one, so that a port to a later
//! kernel replaces them: the rest of the glue keeps its `unsafe` for the
//! calls into C that no type covers.

pub(crate) mod boot;
pub(crate) mod early;
pub(crate) mod iov;
pub(crate) mod ops;
pub(crate) mod page;
pub(crate) mod sched;
pub(crate) mod set_once;
pub(crate) mod user_buf;
pub(crate) mod vma;
