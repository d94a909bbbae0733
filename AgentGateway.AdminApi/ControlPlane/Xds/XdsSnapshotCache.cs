namespace AgentGateway.AdminApi.ControlPlane.Xds;

/// <summary>
/// The current <see cref="XdsSnapshot"/>, replaced atomically when config changes; streams wait on
/// <see cref="WaitForChangeAsync"/> to push the difference.
/// </summary>
internal sealed class XdsSnapshotCache
{
    private XdsSnapshot _current = XdsSnapshot.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public XdsSnapshot Current => Volatile.Read(ref _current);

    public void Set(XdsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes when a snapshot other than <paramref name="seen"/> is current.</summary>
    public async Task WaitForChangeAsync(XdsSnapshot seen, CancellationToken cancellationToken)
    {
        var changed = Volatile.Read(ref _changed).Task;
        if (!ReferenceEquals(Current, seen))
        {
            return;
        }

        await changed.WaitAsync(cancellationToken);
    }
}
