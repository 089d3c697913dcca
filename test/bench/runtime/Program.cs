using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Edge.Bench;

// `idle-lag [seconds]` measures the idle loop's wake-up; anything else goes to BenchmarkDotNet's switcher
// (`--filter '*'` runs every benchmark). In process: the runner generates no project and needs no network.
if (args is ["idle-lag", ..])
{
    IdleLag.Run(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1]) : 20));
    return;
}
// A job named on the command line (CI's `--job dry --inProcess`: each benchmark once) replaces this one.
var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(5).WithIterationCount(15);
var config = (args.Contains("--job") ? DefaultConfig.Instance : DefaultConfig.Instance.AddJob(job))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator)
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "edge-runtime-bench"));
BenchmarkSwitcher.FromAssembly(typeof(LoopThroughputBenchmarks).Assembly).Run(args, config);
