package example.sdk;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The common shape of a Java function: SDK clients built once, in a static initialiser, with the defaults (the
 * Apache HTTP client found on the class path, the default credentials chain). Builds them only: no call leaves
 * the machine. The region is given, as Lambda's AWS_REGION would give it.
 */
public class OrdersHandler implements RequestHandler<Map<String, Object>, String> {
  static final DynamoDbClient DYNAMO = DynamoDbClient.builder().region(Region.US_EAST_1).build();
  static final S3Client S3 = S3Client.builder().region(Region.US_EAST_1).build();

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    return DYNAMO.serviceName() + "," + S3.serviceName();
  }
}
