using Edge.Api;
using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Edge.Streaming;
using Edge.Monitoring;

namespace Edge.Web;

/// <summary>
/// What <c>/metrics</c> exports, read from each part's public counters at scrape time: build info,
/// open connections by kind, event loop, worker pool, API latency by method, camera frames and encode
/// times, service restarts, memory, and the monitor's own cost. Loop only.
/// </summary>
public sealed class EdgeMetrics(
    string version,
    EventLoop loop,
    WorkerPool pool,
    Supervisor supervisor,
    ApiDispatcher dispatcher,
    HttpConnectionCounter http,
    SessionHub webSockets,
    CameraEndpoints mjpeg,
    RtspServer rtsp,
    CameraService camera,
    SystemMonitor monitor,
    StorageHealth storage)
{
    public void WriteTo(PrometheusWriter w)
    {
        loop.VerifyAccess();
        w.Family("edge_build_info", "gauge", "Edge's version; always 1.");
        w.Sample("edge_build_info", "version", version, 1);

        w.Family("edge_connections", "gauge", "Open connections by kind: http counts every TCP connection on the HTTP port " +
            "(WebSocket and MJPEG clients included), rtsp counts RTSP sessions.");
        w.Sample("edge_connections", "kind", "http", http.Open);
        w.Sample("edge_connections", "kind", "ws", webSockets.Count);
        w.Sample("edge_connections", "kind", "mjpeg", mjpeg.OpenStreams);
        w.Sample("edge_connections", "kind", "rtsp", rtsp.SessionCount);

        var loopMetrics = loop.GetMetrics();
        w.Gauge("edge_event_loop_queue_depth", "Work items waiting for the event loop.", loopMetrics.QueueDepth);
        w.Gauge("edge_event_loop_busy_ratio", "Share of the last 5 s the event loop spent running work.", loopMetrics.BusyRatio);
        w.Counter("edge_event_loop_items_total", "Work items the event loop ran.", loopMetrics.ItemsRun);
        w.Counter("edge_event_loop_failures_total", "Work items that threw.", loopMetrics.Failures);
        w.Histogram("edge_event_loop_lag_seconds", "Time from posting a work item to the loop running it.", loop.Lag);

        var poolMetrics = pool.GetMetrics();
        w.Gauge("edge_worker_pool_queued", "Work items waiting for a worker.", poolMetrics.Queued);
        w.Gauge("edge_worker_pool_running", "Work items running on workers.", poolMetrics.Running);
        w.Counter("edge_worker_pool_rejected_total", "Work items refused because the queue was full.", poolMetrics.Rejected);
        w.Counter("edge_worker_pool_dropped_total", "Queued work items evicted by newer ones.", poolMetrics.Dropped);
        w.Counter("edge_worker_pool_failed_total", "Work items that threw.", poolMetrics.Failed);

        w.Family("edge_api_request_duration_seconds", "histogram", "Time to answer an API call, by method.");
        foreach (var method in dispatcher.Methods)
            w.Histogram("edge_api_request_duration_seconds", method.Latency, "method", method.Name);
        w.Family("edge_api_failures_total", "counter",
            "API calls whose handler failed unexpectedly (answered \"Internal error\"), by method.");
        foreach (var method in dispatcher.Methods)
            w.Sample("edge_api_failures_total", "method", method.Name, method.Failures);

        w.Counter("edge_frames_captured_total", "Frames taken from the camera.", camera.Captured);
        w.Counter("edge_frames_encoded_total", "Raw frames encoded to JPEG by Edge.", camera.Encoded);
        w.Family("edge_frames_delivered_total", "counter", "Frames written to viewers, by transport (RTSP counts each session).");
        w.Sample("edge_frames_delivered_total", "transport", "mjpeg", camera.Jpeg.Delivered);
        w.Sample("edge_frames_delivered_total", "transport", "rtsp", rtsp.FramesSent);
        w.Family("edge_frames_dropped_total", "counter",
            "Frames lost: capture (pipeline behind), encode (workers busy), viewer (skipped by a slow viewer), invalid (broken).");
        w.Sample("edge_frames_dropped_total", "reason", "capture", camera.CaptureDrops);
        w.Sample("edge_frames_dropped_total", "reason", "encode", camera.EncodeDrops);
        w.Sample("edge_frames_dropped_total", "reason", "viewer", camera.Jpeg.ViewerSkips);
        w.Sample("edge_frames_dropped_total", "reason", "invalid", camera.Invalid);
        w.Histogram("edge_encode_duration_seconds", "Time to encode one raw frame to JPEG.", camera.EncodeTimes);

        var services = supervisor.GetStatus();
        w.Family("edge_storage_write_failures_total", "counter",
            "Failed writes to the data directory since start, by writer (only writers that ever failed).");
        foreach (var (writer, failures) in storage.Failures) w.Sample("edge_storage_write_failures_total", "writer", writer, failures);
        var failing = storage.Problems;
        w.Family("edge_storage_failing", "gauge", "1 for each writer whose last write to the data directory failed.");
        foreach (var problem in failing) w.Sample("edge_storage_failing", "writer", problem.Writer, 1);
        w.Family("edge_service_restarts_total", "counter", "Restarts of each supervised service.");
        foreach (var service in services) w.Sample("edge_service_restarts_total", "service", service.Name, service.Restarts);
        w.Family("edge_service_up", "gauge", "1 while a supervised service runs.");
        foreach (var service in services)
            w.Sample("edge_service_up", "service", service.Name, service.Status == ServiceStatus.Running ? 1 : 0);

        w.Gauge("process_resident_memory_bytes", "Resident memory of the Edge process.", monitor.ReadProcessRss() ?? double.NaN);
        w.Gauge("edge_gc_heap_bytes", "Bytes on the managed heap now, garbage not yet collected included.", GC.GetTotalMemory(false));
        w.Counter("edge_gc_allocated_bytes_total", "Bytes allocated on the managed heap.", GC.GetTotalAllocatedBytes());
        w.Family("edge_gc_collections_total", "counter", "Garbage collections by generation.");
        w.Sample("edge_gc_collections_total", "generation", "0", GC.CollectionCount(0));
        w.Sample("edge_gc_collections_total", "generation", "1", GC.CollectionCount(1));
        w.Sample("edge_gc_collections_total", "generation", "2", GC.CollectionCount(2));

        w.Histogram("edge_monitor_sample_seconds", "Time one system sample takes on the event loop.", monitor.SampleTimes);
    }
}
