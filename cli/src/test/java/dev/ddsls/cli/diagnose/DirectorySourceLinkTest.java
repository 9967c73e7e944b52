package dev.ddsls.cli.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ddsls.cli.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --source that is a symbolic link to a directory reads the directory (Files.walk alone would not descend). */
@Tag("e2e")
class DirectorySourceLinkTest {
  @TempDir Path tmp;

  @Test
  void symbolicLinkToADirectory() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data/exports"));
    Files.writeString(dir.resolve("spans.json"), DatadogSourceTest.fixture("search-page-1.json"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("data"));
    CliProcess.Result r = CliProcess.run(tmp, "diagnose", "--source", link.toString(), "--format", "json");
    assertEquals(0, r.exit(), r.stdout() + r.stderr());
    JsonNode report = new ObjectMapper().readTree(r.stdout());
    assertEquals(8, report.get("inputs").get("spans").asInt(), r.stdout());
    assertEquals(4, report.get("functions").get(0).get("invocations").asInt(), r.stdout());
  }
}
