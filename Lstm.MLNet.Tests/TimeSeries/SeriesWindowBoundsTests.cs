using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>Window sizes and horizons are bounded before any arithmetic on them (issue 10: int.MaxValue gave "-2147483569 windows").</summary>
[TestClass]
public sealed class SeriesWindowBoundsTests
{
    [TestMethod]
    public void WindowSizeAndHorizonBeyondTheirCaps_AreRejectedByName()
    {
        var series = new float[100];
        Assert.AreEqual("WindowSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesWindows.Create(series, int.MaxValue, 1)).ParamName);
        Assert.AreEqual("Horizon", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesWindows.Create(series, 12, int.MaxValue)).ParamName);
        Assert.AreEqual("WindowSize", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SeriesWindowOptions { WindowSize = 0, Horizon = 1 }.Validate()).ParamName);
        Assert.AreEqual("Covariates", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SeriesWindowOptions { WindowSize = 1, Horizon = 1, Covariates = -1 }.Validate()).ParamName);
    }

    [TestMethod]
    public void ALargeButValidWindow_ReportsTheShortSeriesWithoutOverflow()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindows.Create(new float[100], SeriesWindowOptions.MaxWindowSize, 65_536));
        StringAssert.Contains(e.Message, "need at least 165536");
    }
}
