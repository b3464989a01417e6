//! Group commit for the send path: concurrent sends of one worker process take their reminders
//! and record their outcomes in shared transactions. While `parallel` batches are being written,
//! later calls queue; the next batch takes every call queued by then (up to `max`). No call waits
//! for a timer, so an idle process writes batches of one and a busy one writes few, larger ones.
//! Measured: most of a send's time went to per-reminder round trips and commits.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::store::StoreError;

type Reply<O> = oneshot::Sender<Result<O, StoreError>>;

pub struct Coalescer<I, O> {
    queue: mpsc::UnboundedSender<(I, Reply<O>)>,
}

impl<I: Send + 'static, O: Send + 'static> Coalescer<I, O> {
    /// Starts the batching task; it ends when the coalescer is dropped. `run` gets a batch and
    /// answers one output per input, in order.
    pub fn spawn<F, Fut>(max: usize, parallel: usize, run: F) -> Self
    where
        F: Fn(Vec<I>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<O>, StoreError>> + Send + 'static,
    {
        let (queue, mut calls) = mpsc::unbounded_channel::<(I, Reply<O>)>();
        let run = Arc::new(run);
        let slots = Arc::new(Semaphore::new(parallel.max(1)));
        tokio::spawn(async move {
            while let Some(first) = calls.recv().await {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    break;
                };
                let mut batch = vec![first];
                while batch.len() < max {
                    match calls.try_recv() {
                        Ok(call) => batch.push(call),
                        Err(_) => break,
                    }
                }
                let run = run.clone();
                tokio::spawn(async move {
                    let (inputs, replies): (Vec<I>, Vec<Reply<O>>) = batch.into_iter().unzip();
                    match run(inputs).await {
                        Ok(outputs) if outputs.len() == replies.len() => {
                            for (reply, output) in replies.into_iter().zip(outputs) {
                                let _ = reply.send(Ok(output));
                            }
                        }
                        Ok(_) => {
                            for reply in replies {
                                let _ = reply.send(Err(StoreError::Corrupt(
                                    "a batch answered the wrong number of results".into(),
                                )));
                            }
                        }
                        Err(e) => {
                            for reply in replies {
                                let _ = reply.send(Err(e.replicate()));
                            }
                        }
                    }
                    drop(slot);
                });
            }
        });
        Self { queue }
    }

    /// Runs `input` in the next batch and returns its output.
    pub async fn call(&self, input: I) -> Result<O, StoreError> {
        let stopped = || StoreError::Corrupt("the send batcher has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.queue.send((input, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_made_while_a_batch_runs_share_the_next_one_and_get_their_own_answers() {
        let sizes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let coalescer = Arc::new(Coalescer::spawn(8, 1, move |batch: Vec<u32>| {
            seen.lock().unwrap().push(batch.len());
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(batch.into_iter().map(|n| n * 10).collect())
            }
        }));
        let calls: Vec<_> = (0..20)
            .map(|n| {
                let c = coalescer.clone();
                tokio::spawn(async move { (n, c.call(n).await.unwrap()) })
            })
            .collect();
        for call in calls {
            let (n, answer) = call.await.unwrap();
            assert_eq!(answer, n * 10);
        }
        let sizes = sizes.lock().unwrap().clone();
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.iter().all(|&s| s <= 8), "{sizes:?}");
        assert!(sizes.len() < 20, "calls were never batched: {sizes:?}");
    }

    #[tokio::test]
    async fn a_failed_batch_fails_each_of_its_calls_with_the_same_kind_of_error() {
        let coalescer = Coalescer::spawn(8, 1, |_: Vec<u32>| async {
            Err::<Vec<u32>, _>(StoreError::Unavailable(sqlx::Error::PoolTimedOut))
        });
        assert!(matches!(
            coalescer.call(1).await,
            Err(StoreError::Unavailable(_))
        ));
    }
}
