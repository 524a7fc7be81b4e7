//! Parsing on every core: the input, a stream or bytes already in memory (a
//! mapped file), is cut into chunks of a few MiB where the format allows (a
//! symbol header, a line end), the chunks are parsed on worker threads, and
//! the results come back in input order with their chunk, so a stateful
//! consumer sees what a sequential reader would. Few chunks are in flight
//! (a stream's buffers are recycled): memory stays bounded whatever the
//! input's size.

use std::collections::BTreeMap;
use std::io::{Chain, Cursor, Read};
use std::sync::mpsc;

use anyhow::{Context, Result};

/// How the input is cut.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Threads that parse (the workers, and the caller's with
    /// `caller_works`); with fewer than 2 the whole input is handed back to be
    /// read sequentially.
    pub threads: usize,
    /// How much to read before looking for a cut.
    pub chunk_size: usize,
    /// The longest chunk: past it with no cut found, the rest of the input is
    /// handed back unparsed.
    pub max_chunk: usize,
    /// For input in memory: the caller's thread parses chunks too (with
    /// `threads - 1` workers) whenever the next one to deliver is not ready.
    /// Worth it when delivering is heavy work of its own (benchmark output's
    /// state applied in order): one thread per core instead of one more that
    /// takes turns with the workers. When delivering is light (listings), an
    /// idle caller costs nothing, and a chunk it parsed could hold up the
    /// next delivery, so it only waits.
    pub caller_works: bool,
}

impl Plan {
    /// 2 MiB chunks, at most 64 MiB, on every core.
    pub fn for_this_machine() -> Plan {
        Plan {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_size: 2 << 20,
            max_chunk: 64 << 20,
            caller_works: false,
        }
    }
}

/// A worker's result, or the panic that ended its work on a chunk.
type Outcome<T> = std::thread::Result<Result<T>>;

/// `work` on `chunk`, a panic caught: the worker sends it on, so the thread
/// that waits for that chunk raises it instead of waiting for ever.
fn guarded<T>(work: impl Fn(&[u8]) -> Result<T>, chunk: &[u8]) -> Outcome<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(chunk)))
}

/// A worker's result; its panic, raised again on this thread.
fn reraise<T>(outcome: Outcome<T>) -> Result<T> {
    outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Jobs shared by the threads that take them.
type Jobs<J> = std::sync::Arc<std::sync::Mutex<mpsc::Receiver<J>>>;

/// `threads` workers, each taking jobs from `jobs` until it closes, running
/// `work` on the job's bytes and sending the job back with the outcome
/// until `done` closes.
fn spawn_workers<'scope, 'env, J, T>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    threads: usize,
    jobs: Jobs<J>,
    done: mpsc::Sender<(J, Outcome<T>)>,
    bytes: fn(&J) -> &[u8],
    work: &'env (impl Fn(&[u8]) -> Result<T> + Sync),
) where
    J: Send + 'env,
    T: Send + 'env,
{
    for _ in 0..threads {
        let (jobs, done) = (jobs.clone(), done.clone());
        scope.spawn(move || loop {
            let Ok(Ok(job)) = jobs.lock().map(|r| r.recv()) else {
                return;
            };
            let outcome = guarded(work, bytes(&job));
            if done.send((job, outcome)).is_err() {
                return;
            }
        });
    }
}

/// What is left when no cut was found within [`Plan::max_chunk`]: the bytes
/// read so far, then the unread input.
pub type Rest<R> = Chain<Cursor<Vec<u8>>, R>;

/// Reads `input` in chunks cut at `cut(buffer)` (the offset where the next
/// chunk starts, or None if the buffer holds no place to cut), runs `work` on
/// each chunk on `plan.threads` threads, and calls `deliver(chunk, result)` in
/// input order. `what` names the input in read errors. Returns the rest of the
/// input if some part of it could not be cut within `plan.max_chunk` (all of
/// it with fewer than 2 threads); the caller reads that sequentially, so
/// every input gets the same result.
pub fn parse_in_chunks<R, T>(
    input: R,
    plan: Plan,
    what: &str,
    cut: impl Fn(&[u8]) -> Option<usize> + Send,
    work: impl Fn(&[u8]) -> Result<T> + Sync,
    mut deliver: impl FnMut(&[u8], T) -> Result<()>,
) -> Result<Option<Rest<R>>>
where
    R: Read + Send,
    T: Send,
{
    if plan.threads < 2 {
        return Ok(Some(Cursor::new(Vec::new()).chain(input)));
    }
    let chunk_size = plan.chunk_size.max(1);
    let max_chunk = plan.max_chunk.max(1);
    let threads = plan.threads;
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads);
    let (done_tx, done_rx) = mpsc::channel();
    // Delivered chunks' buffers go back to the reader: no fresh pages per chunk.
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let work = &work;
    std::thread::scope(|scope| -> Result<Option<Rest<R>>> {
        let reader = scope.spawn(move || -> Result<Option<Rest<R>>> {
            let mut input = input;
            let mut buf: Vec<u8> = Vec::with_capacity(chunk_size * 2);
            let (mut buffers, max_buffers) = (1, 2 * threads + 2);
            let mut seq = 0;
            let mut eof = false;
            // How much to hold before looking for a cut: one chunk, more while
            // no cut is found.
            let mut want = chunk_size;
            loop {
                while !eof && buf.len() < want {
                    // read_to_end fills spare capacity without zeroing it first.
                    let n = (&mut input)
                        .take((want - buf.len()) as u64)
                        .read_to_end(&mut buf)
                        .with_context(|| format!("reading {what}"))?;
                    eof = n == 0;
                }
                if eof {
                    if !buf.is_empty() {
                        let _ = job_tx.send((seq, buf));
                    }
                    return Ok(None);
                }
                match cut(&buf).filter(|&at| at > 0 && at <= buf.len()) {
                    Some(at) => {
                        // A recycled buffer, a new one while few are in
                        // flight, else wait for one: a slow consumer holds
                        // the reader back instead of filling memory.
                        let mut next = match free_rx.try_recv() {
                            Ok(b) => b,
                            Err(_) if buffers < max_buffers => {
                                buffers += 1;
                                Vec::with_capacity(chunk_size * 2)
                            }
                            Err(_) => match free_rx.recv() {
                                Ok(b) => b,
                                Err(_) => return Ok(None),
                            },
                        };
                        next.clear();
                        next.extend_from_slice(&buf[at..]);
                        buf.truncate(at);
                        if job_tx
                            .send((seq, std::mem::replace(&mut buf, next)))
                            .is_err()
                        {
                            return Ok(None);
                        }
                        seq += 1;
                        want = chunk_size;
                    }
                    None if buf.len() >= max_chunk => {
                        return Ok(Some(Cursor::new(buf).chain(input)));
                    }
                    // Read on, doubling: every byte is searched for a cut
                    // a bounded number of times, however long the line.
                    None => want = (buf.len() + buf.len().max(chunk_size)).min(max_chunk),
                }
            }
        });
        // The job receiver is the workers' alone: when they all stop, the
        // reader's sends fail.
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
        spawn_workers(scope, threads, jobs, done_tx, |job| &job.1, work);
        let mut pending = BTreeMap::new();
        let mut next = 0;
        let mut failed = None;
        for ((seq, chunk), result) in done_rx {
            pending.insert(seq, (chunk, reraise(result)));
            while let Some((chunk, result)) = pending.remove(&next) {
                if failed.is_none() {
                    if let Err(e) = result.and_then(|r| deliver(&chunk, r)) {
                        failed = Some(e);
                    }
                }
                let _ = free_tx.send(chunk);
                next += 1;
            }
            if failed.is_some() {
                // Dropping the receiver stops the workers at their next send,
                // and with them gone, the reader at its next one.
                break;
            }
        }
        drop(free_tx);
        let rest = reader.join().expect("the chunk reader does not panic");
        match failed {
            Some(e) => Err(e),
            None => rest,
        }
    })
}

/// Reads `data` from `from` on, in order, saying through `release` which
/// bytes are read (a mapped file's pages then leave this process's memory):
/// the part no chunk could be cut in (one enormous line) costs a buffer,
/// not its size.
pub struct Releasing<'a, F: FnMut(std::ops::Range<usize>)> {
    data: &'a [u8],
    pos: usize,
    release: F,
}

impl<'a, F: FnMut(std::ops::Range<usize>)> Releasing<'a, F> {
    pub fn new(data: &'a [u8], from: usize, release: F) -> Self {
        Releasing {
            data,
            pos: from.min(data.len()),
            release,
        }
    }
}

impl<F: FnMut(std::ops::Range<usize>)> std::io::Read for Releasing<'_, F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        let from = self.pos;
        self.pos += n;
        (self.release)(from..self.pos);
        Ok(n)
    }
}

/// Where the chunk of `data` that begins at `start` ends: `chunk_size`
/// bytes on, cut at `cut` as [`parse_in_chunks`] cuts, longer while no cut
/// is found; `None` if there is no cut within `max_chunk`.
fn next_bound(
    data: &[u8],
    start: usize,
    plan: Plan,
    cut: &impl Fn(&[u8]) -> Option<usize>,
) -> Option<usize> {
    let (chunk_size, max_chunk) = (plan.chunk_size.max(1), plan.max_chunk.max(1));
    let mut want = chunk_size.min(max_chunk);
    loop {
        let end = start.saturating_add(want);
        if end >= data.len() {
            return Some(data.len());
        }
        match cut(&data[start..end]).filter(|&at| at > 0 && at <= end - start) {
            Some(at) => return Some(start + at),
            None if want >= max_chunk => return None,
            // Doubling: every byte is searched a bounded number of times.
            None => want = want.saturating_mul(2).min(max_chunk),
        }
    }
}

/// [`parse_in_chunks`] for input already in memory (a mapped file): the
/// chunks are slices of `data`, cut as they are handed out, parsed on
/// `plan.threads` threads (see [`Plan::caller_works`]) with a few in
/// flight, and delivered in order; nothing is copied. After each delivery `release(range)` says that part
/// of `data` is done with. Returns where the rest of `data` begins if some
/// of it has no cut within `plan.max_chunk` (all of it with fewer than 2
/// threads), for the caller to read in order.
pub fn parse_slice_in_chunks<T: Send>(
    data: &[u8],
    plan: Plan,
    cut: impl Fn(&[u8]) -> Option<usize>,
    work: impl Fn(&[u8]) -> Result<T> + Sync,
    mut deliver: impl FnMut(&[u8], T) -> Result<()>,
    mut release: impl FnMut(std::ops::Range<usize>),
) -> Result<Option<usize>> {
    type Range = std::ops::Range<usize>;
    if plan.threads < 2 || data.is_empty() {
        return Ok((!data.is_empty()).then_some(0));
    }
    // Chunks are handed out as earlier ones are delivered: results of at
    // most `window` chunks wait for a slow consumer.
    let window = 2 * plan.threads + 2;
    // A job: the chunk's number, where it lies in `data`, and its bytes.
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, Range, &[u8])>(window);
    let (done_tx, done_rx) = mpsc::channel();
    let work = &work;
    // `move`: the job sender drops with the closure, whichever way it
    // returns, and the workers then end at their next receive.
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(job_rx));
    std::thread::scope(move |scope| -> Result<Option<usize>> {
        // With caller_works this thread is the last worker (on two cores, a
        // third thread applying results in order got two thirds of one and
        // held the workers back).
        let workers = plan.threads - usize::from(plan.caller_works);
        spawn_workers(scope, workers, jobs.clone(), done_tx, |job| job.2, work);
        // The chunks, cut as they are handed out; none past a stretch with
        // no cut, whose start is the rest.
        let (mut start, mut rest) = (0, None);
        let mut chunks = std::iter::from_fn(|| {
            if start == data.len() || rest.is_some() {
                return None;
            }
            match next_bound(data, start, plan, &cut) {
                Some(end) => {
                    let range = std::mem::replace(&mut start, end)..end;
                    Some((range.clone(), &data[range]))
                }
                None => {
                    rest = Some(start);
                    None
                }
            }
        })
        .enumerate()
        .map(|(i, (range, bytes))| (i, range, bytes));
        let mut sent = 0;
        for job in chunks.by_ref().take(window) {
            let _ = job_tx.send(job);
            sent += 1;
        }
        let mut pending = BTreeMap::new();
        let mut next = 0;
        loop {
            while let Some((range, bytes, result)) = pending.remove(&next) {
                deliver(bytes, result?)?;
                release(range);
                next += 1;
                if let Some(job) = chunks.next() {
                    let _ = job_tx.send(job);
                    sent += 1;
                }
            }
            if next == sent {
                break;
            }
            // The next chunk is not ready: take a finished one, else parse a
            // queued one here, else wait for one. (try_lock: a worker holding
            // the lock is taking a job, or waiting for one because none is
            // queued; this thread then waits for a result, not for the lock.)
            let finished = match done_rx.try_recv() {
                Ok(done) => Some(done),
                Err(mpsc::TryRecvError::Empty) => None,
                Err(mpsc::TryRecvError::Disconnected) => break,
            };
            let waiting = || jobs.try_lock().ok().and_then(|j| j.try_recv().ok());
            let ((i, range, bytes), result) = match finished {
                Some(done) => done,
                None => match plan.caller_works.then(waiting).flatten() {
                    Some(job) => {
                        let outcome = guarded(work, job.2);
                        (job, outcome)
                    }
                    None => match done_rx.recv() {
                        Ok(done) => done,
                        Err(_) => break, // the workers are gone: a panic, raised at the join
                    },
                },
            };
            pending.insert(i, (range, bytes, reraise(result)));
        }
        drop(chunks);
        Ok(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect()
    }

    fn plan() -> Plan {
        Plan {
            threads: 2,
            chunk_size: 64,
            max_chunk: 1 << 20,
            caller_works: false,
        }
    }

    /// The plan, and the same with the caller's thread working too.
    fn both_plans() -> [Plan; 2] {
        [
            plan(),
            Plan {
                caller_works: true,
                ..plan()
            },
        ]
    }

    fn at_last_newline(buf: &[u8]) -> Option<usize> {
        memchr::memrchr(b'\n', buf).map(|nl| nl + 1)
    }

    /// Chunks of a stream, or slices of memory, come back whole and in
    /// order; each slice is released after it is delivered.
    #[test]
    fn chunks_come_back_whole_and_in_order() {
        let input = lines(5000);
        let mut seen = Vec::new();
        let mut take = |chunk: &[u8], len: usize| {
            assert_eq!(chunk.len(), len);
            assert!(chunk.ends_with(b"\n"));
            seen.extend_from_slice(chunk);
            Ok(())
        };
        let rest = parse_in_chunks(
            &input[..],
            plan(),
            "test input",
            at_last_newline,
            |chunk| Ok(chunk.len()),
            &mut take,
        )
        .unwrap();
        assert!(rest.is_none());
        for plan in both_plans() {
            let mut released = Vec::new();
            let rest = parse_slice_in_chunks(
                &input,
                plan,
                at_last_newline,
                |chunk| Ok(chunk.len()),
                &mut take,
                |range| released.push(range),
            )
            .unwrap();
            assert!(rest.is_none());
            assert!(released.len() > 100);
            assert_eq!(released.first().map(|r| r.start), Some(0));
            assert!(released.windows(2).all(|w| w[0].end == w[1].start));
            assert_eq!(released.last().map(|r| r.end), Some(input.len()));
        }
        // Streamed once, sliced twice.
        assert_eq!(seen, input.repeat(3));
    }

    /// A consumer that gives up at the third chunk.
    fn giving_up(delivered: &mut usize) -> impl FnMut(&[u8], ()) -> Result<()> + '_ {
        move |_, ()| {
            *delivered += 1;
            if *delivered == 3 {
                anyhow::bail!("consumer gave up")
            }
            Ok(())
        }
    }

    /// A consumer that fails stops the reader and the workers, in both
    /// pipelines: the call returns its error instead of waiting on them.
    #[test]
    fn a_failing_consumer_ends_the_read() {
        let input = lines(100_000);
        let mut delivered = 0;
        let err = parse_in_chunks(
            &input[..],
            plan(),
            "test input",
            at_last_newline,
            |_| Ok(()),
            giving_up(&mut delivered),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "consumer gave up");
        assert_eq!(delivered, 3);
        for plan in both_plans() {
            let mut delivered = 0;
            let err = parse_slice_in_chunks(
                &input,
                plan,
                at_last_newline,
                |_| Ok(()),
                giving_up(&mut delivered),
                |_| {},
            )
            .unwrap_err();
            assert_eq!(err.to_string(), "consumer gave up");
            assert_eq!(delivered, 3);
        }
    }

    /// A worker that panics on a chunk: the panic reaches the caller, in
    /// both pipelines, instead of the caller waiting for that chunk for ever.
    #[test]
    fn a_panicking_worker_panics_the_caller() {
        let input = lines(5000);
        let work = |chunk: &[u8]| -> Result<()> {
            assert!(
                !chunk.starts_with(b"line 2000\n"),
                "worker failed on purpose"
            );
            Ok(())
        };
        let cut_before_2000 = |buf: &[u8]| {
            memchr::memmem::find(buf, b"line 2000\n")
                .filter(|&at| at > 0)
                .or_else(|| at_last_newline(buf))
        };
        let streamed = std::panic::catch_unwind(|| {
            parse_in_chunks(
                &input[..],
                plan(),
                "test input",
                cut_before_2000,
                work,
                |_, ()| Ok(()),
            )
        });
        let sliced = |plan| {
            std::panic::catch_unwind(|| {
                parse_slice_in_chunks(&input, plan, cut_before_2000, work, |_, ()| Ok(()), |_| {})
            })
        };
        let [waits, works] = both_plans().map(|plan| sliced(plan).err());
        for (how, outcome) in [
            ("streamed", streamed.err()),
            ("sliced", waits),
            ("sliced, caller working", works),
        ] {
            let panic = outcome.unwrap_or_else(|| panic!("{how}: no panic"));
            let msg = (panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            assert!(msg.contains("worker failed on purpose"), "{how}: {msg}");
        }
    }

    /// A read error is reported with what was being read.
    #[test]
    fn a_read_error_names_the_input() {
        #[derive(Debug)]
        struct Broken(usize);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                let n = buf.len().min(6);
                buf[..n].copy_from_slice(&b"12345\n"[..n]);
                Ok(n)
            }
        }
        let err = parse_in_chunks(
            Broken(100),
            plan(),
            "the test input",
            at_last_newline,
            |_| Ok(()),
            |_, ()| Ok(()),
        )
        .unwrap_err();
        assert_eq!(format!("{err:#}"), "reading the test input: disk on fire");
    }

    /// No cut within the longest chunk: the bytes read so far and the rest
    /// of the input come back for the caller to read in order (from a
    /// slice: where the rest begins).
    #[test]
    fn an_uncuttable_stretch_hands_back_the_rest() {
        let mut input = lines(100);
        let at = input.len();
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend_from_slice(b"\ntail\n");
        let mut seen = Vec::new();
        let rest = parse_in_chunks(
            &input[..],
            Plan {
                max_chunk: 1000,
                ..plan()
            },
            "test input",
            at_last_newline,
            |_| Ok(()),
            |chunk, ()| {
                seen.extend_from_slice(chunk);
                Ok(())
            },
        )
        .unwrap()
        .expect("a rest");
        let mut tail = Vec::new();
        let mut rest = rest;
        rest.read_to_end(&mut tail).unwrap();
        assert!(seen.len() <= at, "{} > {at}", seen.len());
        seen.extend_from_slice(&tail);
        assert_eq!(seen, input);

        // From a slice: what comes before the stretch is delivered, and
        // where the undelivered rest begins comes back.
        for plan in both_plans() {
            let mut sliced = Vec::new();
            let rest = parse_slice_in_chunks(
                &input,
                Plan {
                    max_chunk: 1000,
                    ..plan
                },
                at_last_newline,
                |_| Ok(()),
                |chunk, ()| {
                    sliced.extend_from_slice(chunk);
                    Ok(())
                },
                |_| {},
            )
            .unwrap()
            .expect("a rest");
            assert!(rest <= at, "{rest} > {at}");
            assert_eq!(sliced, input[..rest]);
        }
    }
}
