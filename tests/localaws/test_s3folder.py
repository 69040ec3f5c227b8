"""S3 through boto3 and files in the object root are one store (what Spark's s3:// reads)."""

from __future__ import annotations

import datetime
import hashlib
import os
import time

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def s3(aws, server):
    client = aws("s3")
    client.create_bucket(Bucket="data")
    return client


def test_a_put_object_is_a_file_and_a_bucket_is_a_folder(s3, server):
    s3.put_object(Bucket="data", Key="in/2024/a.csv", Body=b"id,amount\n1,10\n")
    assert (server.s3_root / "data" / "in" / "2024" / "a.csv").read_bytes() == b"id,amount\n1,10\n"
    (server.s3_root / "spark-made").mkdir()
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert sorted(names) == ["data", "spark-made"]


def test_a_file_written_on_disk_is_an_object_with_size_etag_and_mtime(s3, server):
    out = server.s3_root / "data" / "out" / "part-00000.parquet"
    out.parent.mkdir(parents=True)
    out.write_bytes(b"PAR1" * 100)
    (out.parent / ".part-00000.parquet.crc").write_bytes(b"crc")  # Hadoop's side file
    (out.parent / "_SUCCESS").write_bytes(b"")
    listed = s3.list_objects_v2(Bucket="data", Prefix="out/")["Contents"]
    assert [o["Key"] for o in listed] == ["out/_SUCCESS", "out/part-00000.parquet"]
    part = listed[1]
    assert part["Size"] == 400
    assert part["ETag"] == f'"{hashlib.md5(b"PAR1" * 100).hexdigest()}"'
    mtime = datetime.datetime.fromtimestamp(out.stat().st_mtime, tz=datetime.UTC)
    assert abs((part["LastModified"] - mtime).total_seconds()) < 2
    assert s3.get_object(Bucket="data", Key="out/part-00000.parquet")["Body"].read() == b"PAR1" * 100


def test_a_file_changed_or_removed_on_disk_is_seen(s3, server):
    s3.put_object(Bucket="data", Key="k.txt", Body=b"one")
    first = s3.head_object(Bucket="data", Key="k.txt")["ETag"]
    path = server.s3_root / "data" / "k.txt"
    path.write_bytes(b"two!")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    head = s3.head_object(Bucket="data", Key="k.txt")
    assert head["ETag"] != first and head["ContentLength"] == 4
    path.unlink()
    with pytest.raises(ClientError, match="404"):
        s3.head_object(Bucket="data", Key="k.txt")
    assert s3.list_objects_v2(Bucket="data")["KeyCount"] == 0


def test_prefix_delimiter_and_pagination(s3, server):
    for i in range(5):
        s3.put_object(Bucket="data", Key=f"in/f{i}.csv", Body=b"x")
    (server.s3_root / "data" / "in" / "sub").mkdir()
    (server.s3_root / "data" / "in" / "sub" / "g.csv").write_bytes(b"y")
    top = s3.list_objects_v2(Bucket="data", Prefix="in/", Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["in/sub/"]
    assert len(top["Contents"]) == 5
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket="data", Prefix="in/", PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    keys = [o["Key"] for page in pages for o in page["Contents"]]
    assert keys == [*(f"in/f{i}.csv" for i in range(5)), "in/sub/g.csv"]


def test_copy_delete_objects_and_empty_folders_pruned(s3, server):
    s3.put_object(Bucket="data", Key="in/a.csv", Body=b"a")
    s3.put_object(Bucket="data", Key="in/b.csv", Body=b"b")
    for key in ("a.csv", "b.csv"):
        s3.copy_object(Bucket="data", Key=f"archive/{key}",
                       CopySource={"Bucket": "data", "Key": f"in/{key}"})
    s3.delete_objects(Bucket="data", Delete={"Objects": [{"Key": "in/a.csv"}, {"Key": "in/b.csv"}]})
    root = server.s3_root / "data"
    assert sorted(p.name for p in (root / "archive").iterdir()) == ["a.csv", "b.csv"]
    assert not (root / "in").exists()


def test_multipart_upload_lands_in_one_file(s3, server):
    part = b"a" * (5 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket="data", Key="big/blob.bin")
    parts = []
    for number, body in ((1, part), (2, b"tail")):
        etag = s3.upload_part(Bucket="data", Key="big/blob.bin", PartNumber=number,
                              UploadId=upload["UploadId"], Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket="data", Key="big/blob.bin", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": parts})
    assert (server.s3_root / "data" / "big" / "blob.bin").read_bytes() == part + b"tail"
    head = s3.head_object(Bucket="data", Key="big/blob.bin")
    assert head["ContentLength"] == len(part) + 4 and head["ETag"].endswith('-2"')


def test_delete_bucket_removes_its_folder(s3, server):
    s3.put_object(Bucket="data", Key="x", Body=b"1")
    with pytest.raises(ClientError, match="BucketNotEmpty"):
        s3.delete_bucket(Bucket="data")
    s3.delete_object(Bucket="data", Key="x")
    s3.delete_bucket(Bucket="data")
    assert not (server.s3_root / "data").exists()
