using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Tests that count allocations or time-sensitive hand-offs around GenNet's worker pool run alone, after the parallel
/// ones: another test training on the shared pool at the same moment makes a step wait on the pool's lock, and a
/// contended wait may allocate on the waiting thread; and a count of the whole process's allocations (ThreadingTests)
/// must not see another test's. xunit 2 starts these collections only after every parallel one has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
