using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>
/// Seeded byte mutations of valid inputs, for parsers: bit flips, interesting bytes, insertions,
/// deletions, duplicated and swapped runs, truncation, splices of two inputs. The same seed gives the
/// same inputs, so a failure names the seed and input number that reproduce it.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)'<', (byte)'>', (byte)'"',
        (byte)'&', (byte)'$', (byte)':', (byte)' ', (byte)'{', (byte)'}', (byte)'[', (byte)']', 0xD8, 0xD9, 0xDA];
    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>One to four mutations of one of <paramref name="seeds"/>, sometimes spliced with another.</summary>
    public byte[] Next(IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int rounds = 1 + _random.Next(4);
        for (int i = 0; i < rounds; i++) Mutate(data, seeds);
        return [.. data];
    }

    private void Mutate(List<byte> data, IReadOnlyList<byte[]> seeds)
    {
        int at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(9))
        {
            case 0 when data.Count > 0: data[at] ^= (byte)(1 << _random.Next(8)); break;
            case 1 when data.Count > 0: data[at] = Interesting[_random.Next(Interesting.Length)]; break;
            case 2: data.Insert(at, (byte)_random.Next(256)); break;
            case 3 when data.Count > 0: data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16))); break;
            case 4 when data.Count > 0:
                int length = Math.Min(data.Count - at, 1 + _random.Next(64));
                data.InsertRange(at, data.GetRange(at, length));
                break;
            case 5 when data.Count > 0: data.RemoveRange(at, data.Count - at); break;
            case 6:
                var other = seeds[_random.Next(seeds.Count)];
                int from = _random.Next(other.Length + 1);
                data.InsertRange(at, other.Skip(from).Take(1 + _random.Next(128)));
                break;
            case 7 when data.Count > 1:
                int a = _random.Next(data.Count), b = _random.Next(data.Count);
                (data[a], data[b]) = (data[b], data[a]);
                break;
            default:
                // A run of one repeated byte: lengths, depths and counters that grow large.
                data.InsertRange(at, Enumerable.Repeat(Interesting[_random.Next(Interesting.Length)], 1 + _random.Next(256)));
                break;
        }
    }
}

/// <summary>Feeds a parser mutated inputs and checks what every hostile-input test checks.</summary>
internal static class Mutations
{
    /// <summary>Inputs per parser: a quick subset by default; <c>FUZZ_INPUTS=100000</c> for the full run.</summary>
    public static int Inputs => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_INPUTS"), out int n) && n > 0 ? n : 3000;

    /// <summary>
    /// Runs <paramref name="parse"/> on <see cref="Inputs"/> mutations of <paramref name="seeds"/>: only
    /// exceptions that <paramref name="refusal"/> accepts may escape, no input may take longer than
    /// <paramref name="slowest"/> (default 1 s) or allocate more than 64 bytes per input byte plus 1 MB.
    /// </summary>
    public static void Run(IReadOnlyList<byte[]> seeds, Action<byte[]> parse, Func<Exception, bool>? refusal = null,
        TimeSpan? slowest = null, int seed = 20261202)
    {
        var mutator = new Mutator(seed);
        var limit = slowest ?? TimeSpan.FromSeconds(1);
        var watch = new Stopwatch();
        for (int i = 0; i < Inputs; i++)
        {
            byte[] input = mutator.Next(seeds);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            watch.Restart();
            try
            {
                parse(input);
            }
            catch (Exception e) when (refusal?.Invoke(e) == true)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"input {i} of seed {seed} ({input.Length} bytes, " +
                    $"{Convert.ToBase64String(input.AsSpan(0, Math.Min(input.Length, 512)))}) threw {e}");
            }
            Assert.IsLessThan(limit, watch.Elapsed, $"input {i} of seed {seed} took {watch.Elapsed}");
            long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.IsLessThanOrEqualTo(64L * input.Length + (1 << 20), used,
                $"input {i} of seed {seed} ({input.Length} bytes) allocated {used} bytes");
        }
    }
}
