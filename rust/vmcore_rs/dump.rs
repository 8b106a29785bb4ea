// SPDX-License-Identifier: GPL-2.0

//! The dump: the ELF core header built in this kernel's memory, and the
//! map from file offsets to old memory.
//!
//! Size first, allocate once, fill: [`s390_vmcore::layout`] sizes the
//! header and the segment table from the saved CPUs, the VMCOREINFO note,
//! os_info and the memory map, then [`s390_vmcore::build`] fills them.
//!
//! Reference: `elfcorehdr_alloc()` in `arch/s390/kernel/crash_dump.c` and
//! `parse_crash_elf64_headers()` in `fs/proc/vmcore.c`.

use crate::{bindings, cpus, file, hsa, oldmem};
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::prelude::*;
use s390_vmcore::{
    os_info, vmcoreinfo_from_lowcore, DumpSpec, OldMem, OldMemMode, OsInfo, PhysRange, Segment,
};

/// Everything a read of the dump needs; built once, never freed.
pub(crate) struct Dump {
    /// How old memory is reached.
    pub(crate) mode: OldMemMode,
    /// ELF header, program headers and notes, padded to a page: the first
    /// `hdr.len()` bytes of the file. Mappable for `mmap()`.
    pub(crate) hdr: UserBuf,
    /// The PT_LOAD data chunks, by file offset.
    pub(crate) segs: KVec<Segment>,
    /// Size of the file in bytes.
    pub(crate) size: u64,
    /// The crashed system's memory ranges the header was built from
    /// (physical addresses): memblock's `physmem` is gone after init, and
    /// the test kernel rebuilds the header from these.
    ranges: KVec<PhysRange>,
}

/// Zeroed, page-aligned memory from `vmalloc_user()`, which `mmap()` can
/// map to user space.
///
/// INVARIANT: `ptr` is a `vmalloc_user()` allocation of `len` bytes that
/// this value owns.
pub(crate) struct UserBuf {
    ptr: core::ptr::NonNull<u8>,
    len: usize,
}

impl UserBuf {
    fn new(len: usize) -> Result<Self> {
        // SAFETY: Plain allocation; the result is checked for null.
        let ptr = unsafe { bindings::vmcore_rs_vmalloc_user(len) }.cast::<u8>();
        let ptr = core::ptr::NonNull::new(ptr).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` was just allocated with `len` bytes.
        Ok(Self { ptr, len })
    }

    /// The address of the first byte, for mapping.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        // SAFETY: By the type invariant, `len` initialised (zeroed) bytes.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: By the type invariant, `len` bytes owned by `self`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for UserBuf {
    fn drop(&mut self) {
        // SAFETY: By the type invariant, a `vmalloc_user()` allocation.
        unsafe { bindings::vfree(self.ptr.as_ptr().cast()) };
    }
}

// SAFETY: `UserBuf` owns plain memory; shared access is read-only.
unsafe impl Send for UserBuf {}
// SAFETY: As above.
unsafe impl Sync for UserBuf {}

/// INVARIANT: null, or a leaked `KBox<Dump>` that is never written again.
static DUMP: AtomicPtr<Dump> = AtomicPtr::new(core::ptr::null_mut());

/// The dump, once built.
pub(crate) fn get() -> Option<&'static Dump> {
    let ptr = DUMP.load(Ordering::Acquire);
    // SAFETY: By the invariant of `DUMP`, a non-null pointer is a leaked,
    // immutable `Dump`.
    (!ptr.is_null()).then(|| unsafe { &*ptr })
}

/// Builds the dump and creates the proc file; logs why when it cannot.
#[link_section = ".init.text"]
pub(crate) fn init() {
    let Some(mode) = oldmem::mode() else {
        // SAFETY: Plain query of the IPL type.
        if unsafe { bindings::vmcore_rs_is_ipl_type_dump() } {
            pr_err!("stand-alone dump without HSA size, no dump\n");
        }
        return;
    };
    // The boot CPU's registers are in the HSA, which can be read now.
    match mode {
        OldMemMode::Hsa { hsa_size } => {
            pr_info!("zfcpdump: {} bytes of old memory in the HSA\n", hsa_size);
            hsa::init();
            cpus::read_boot_cpu_regs(mode);
        }
        OldMemMode::HsaKdump { hsa_size, .. } => {
            pr_info!("test HSA of {} bytes over kdump\n", hsa_size);
            hsa::init();
            cpus::read_boot_cpu_regs(mode);
        }
        _ => {}
    }
    let cpus = cpus::save_areas();
    if cpus.is_empty() {
        pr_err!("no CPU registers were saved, no dump\n");
        return;
    }
    // SAFETY: Plain clock read.
    let t0 = unsafe { bindings::ktime_get() };
    match memory_ranges(mode).and_then(|ranges| build(mode, cpus, ranges)) {
        Ok(dump) => {
            // SAFETY: Plain clock read.
            let us = (unsafe { bindings::ktime_get() } - t0) / 1000;
            oldmem::map_real_memory(old_memory_end(mode, &dump.ranges));
            let size = dump.size;
            match KBox::new(dump, GFP_KERNEL) {
                Ok(dump) => DUMP.store(KBox::into_raw(dump), Ordering::Release),
                Err(_) => {
                    pr_err!("out of memory for the dump\n");
                    return;
                }
            }
            if file::create(size).is_ok() {
                pr_info!("dump of {} bytes ready (header built in {} us)\n", size, us);
            }
        }
        Err(e) => pr_err!("cannot build the ELF core header: error {}\n", e.to_errno()),
    }
}

/// Test kernel only: builds the header again from the same inputs as at
/// boot (old memory, the saved CPUs, the stored memory ranges) and checks
/// that it equals the one being served. The fault-injection kselftest
/// calls it through `/sys/kernel/debug/vmcore_rs/rebuild` to fail each
/// allocation of the header build in turn.
///
/// Errors: `ENODEV` without a dump; `ENOMEM` when an allocation failed,
/// logged with `pr_err` as at boot; `EINVAL` when the new header differs.
#[cfg(CONFIG_PROC_VMCORE)]
pub(crate) fn rebuild() -> Result {
    let dump = get().ok_or(ENODEV)?;
    let built = KVec::with_capacity(dump.ranges.len(), GFP_KERNEL)
        .map_err(Error::from)
        .and_then(|mut ranges| {
            ranges.extend_from_slice(&dump.ranges, GFP_KERNEL)?;
            build(dump.mode, cpus::save_areas(), ranges)
        });
    let new = built
        .inspect_err(|e| pr_err!("cannot build the ELF core header: error {}\n", e.to_errno()))?;
    if new.hdr.as_slice() != dump.hdr.as_slice() || new.segs != dump.segs || new.size != dump.size {
        pr_err!("the rebuilt ELF core header differs from the one served\n");
        return Err(EINVAL);
    }
    Ok(())
}

/// The VMCOREINFO note's contents: from os_info (checksummed) or, failing
/// that, from the note the old lowcore points to, like `nt_vmcoreinfo()`.
///
/// Returns `Ok(None)`, after a warning, when old memory has no usable
/// VMCOREINFO (the dump is served without it); `ENOMEM` when its buffer
/// cannot be allocated (the header is not built rather than built without
/// the note).
fn vmcoreinfo(mem: &oldmem::Kernel, info: Option<&OsInfo>) -> Result<Option<KVec<u8>>> {
    if let Some(info) = info {
        let size = info.entry_size(os_info::OS_INFO_VMCOREINFO);
        if size > s390_vmcore::VMCOREINFO_MAX as u64 {
            pr_warn!("os_info VMCOREINFO entry of {} bytes is too big\n", size);
        } else if size != 0 {
            let mut buf = zeroed_vec(size as usize)?;
            match info.read_entry(mem, os_info::OS_INFO_VMCOREINFO, &mut buf) {
                Ok(_) => return Ok(Some(buf)),
                Err(e) => pr_warn!("os_info VMCOREINFO entry unusable ({})\n", e.as_str()),
            }
        }
    }
    let (addr, size) = match vmcoreinfo_from_lowcore(mem) {
        Ok(v) => v,
        Err(e) => {
            pr_warn!(
                "old VMCOREINFO note unusable ({:?}), dump without VMCOREINFO\n",
                e
            );
            return Ok(None);
        }
    };
    let mut buf = zeroed_vec(size)?;
    if mem.read(addr, &mut buf).is_err() {
        pr_warn!(
            "cannot read the old VMCOREINFO at {:#x}, dump without it\n",
            addr
        );
        return Ok(None);
    }
    Ok(Some(buf))
}

fn zeroed_vec<T: Copy + Default>(len: usize) -> Result<KVec<T>> {
    Ok(KVec::from_elem(T::default(), len, GFP_KERNEL)?)
}

/// Calls `f` for each range of the crashed system's memory: all physical
/// memory (`physmem`) but the crashkernel area, like `for_each_physmem_range`
/// over `oldmem_type` in `crash_dump.c`.
fn for_each_range(mode: OldMemMode, mut f: impl FnMut(PhysRange)) {
    let mut region = bindings::memblock_region::default();
    let mut exclude = bindings::memblock_type::default();
    if let OldMemMode::Kdump { start, size } | OldMemMode::HsaKdump { start, size, .. } = mode {
        region.base = start;
        region.size = size;
        exclude.total_size = size;
    }
    exclude.cnt = 1;
    exclude.max = 1;
    exclude.regions = &mut region;
    exclude.name = c"oldmem".as_ptr().cast_mut();
    let mut idx: u64 = 0;
    loop {
        let (mut start, mut end) = (0u64, 0u64);
        // SAFETY: `physmem` is memblock's table of all physical memory,
        // kept during init (we run from an initcall); `exclude` is a valid
        // table of one region that lives across the call.
        unsafe {
            bindings::__next_mem_range(
                &mut idx,
                bindings::NUMA_NO_NODE,
                bindings::memblock_flags_MEMBLOCK_NONE,
                core::ptr::addr_of_mut!(bindings::physmem),
                &mut exclude,
                &mut start,
                &mut end,
                core::ptr::null_mut(),
            )
        };
        if idx == u64::MAX {
            break;
        }
        f(PhysRange { start, end });
    }
}

/// The end (physical, exclusive) of the crashed system's memory: of its
/// memory ranges and, for kdump, of the crashkernel area holding its low
/// memory.
fn old_memory_end(mode: OldMemMode, ranges: &[PhysRange]) -> u64 {
    let top = ranges.iter().map(|r| r.end).max().unwrap_or(0);
    match mode {
        OldMemMode::Kdump { start, size } | OldMemMode::HsaKdump { start, size, .. } => {
            core::cmp::max(top, start.saturating_add(size))
        }
        _ => top,
    }
}

/// The crashed system's memory ranges, from memblock (init only).
fn memory_ranges(mode: OldMemMode) -> Result<KVec<PhysRange>> {
    let mut count = 0;
    for_each_range(mode, |_| count += 1);
    let mut ranges = KVec::with_capacity(count, GFP_KERNEL)?;
    for_each_range(mode, |r| {
        // Cannot fail: the capacity was reserved above.
        let _ = ranges.push(r, GFP_KERNEL);
    });
    Ok(ranges)
}

/// Builds the dump: reads os_info and VMCOREINFO from old memory, sizes the
/// header, allocates it and the segment table once, and fills them.
///
/// Errors: `ENOMEM` when an allocation fails (nothing is leaked), `EINVAL`
/// when the inputs cannot describe an ELF core (e.g. too many ranges).
fn build(
    mode: OldMemMode,
    cpus: &[s390_vmcore::SaveArea],
    ranges: KVec<PhysRange>,
) -> Result<Dump> {
    let mem = oldmem::Kernel(mode);
    let info = match OsInfo::read(&mem) {
        Ok(info) => Some(info),
        Err(e) => {
            pr_warn!(
                "old os_info unusable ({}), dump without the kernel-text PT_LOAD\n",
                e.as_str()
            );
            None
        }
    };
    let vmcoreinfo = vmcoreinfo(&mem, info.as_ref())?;

    let spec = DumpSpec {
        cpus,
        // SAFETY: Facility query.
        has_vx: unsafe { bindings::vmcore_rs_has_vx() },
        vmcoreinfo: vmcoreinfo.as_deref(),
        text: s390_vmcore::text_segment(info.as_ref()),
        identity_base: s390_vmcore::identity_base(info.as_ref()),
        ranges: &ranges,
    };
    let layout = s390_vmcore::layout(&spec).map_err(|_| EINVAL)?;
    let mut hdr = UserBuf::new(layout.header_len)?;
    let mut segs = zeroed_vec(layout.nsegments)?;
    let size = s390_vmcore::build(&spec, hdr.as_mut_slice(), &mut segs).map_err(|_| EINVAL)?;
    Ok(Dump {
        mode,
        hdr,
        segs,
        size,
        ranges,
    })
}
